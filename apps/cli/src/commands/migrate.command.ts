import { createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { openEmbeddedDatabase } from '@waymark/sqlite';
import { embeddedPaths } from '@waymark/storage';
import { CliCommand, EXIT } from '../cli-command';

/**
 * Brings the schemas up to date without starting the service (the service also does
 * it at start-up). Embedded: the SQLite store and the chDB read model of a STOPPED
 * service; with --clickhouse-url, a ClickHouse server.
 */
export const migrateCommand: CliCommand = {
  name: 'migrate',
  summary: 'Apply pending schema migrations (SQLite store and ClickHouse read model).',
  usage: 'waymark migrate [--data-dir DIR] [--clickhouse-url URL]\n\nWith --data-dir (default $DATA_DIR or ./data) the service must be stopped: chDB opens its data directory in one process at a time.',
  options: { 'data-dir': { type: 'string' }, 'clickhouse-url': { type: 'string' } },
  async run(values, _positionals, io) {
    const url = values['clickhouse-url'] as string | undefined;
    if (!url) {
      const paths = embeddedPaths((values['data-dir'] as string | undefined) ?? io.env.DATA_DIR ?? './data');
      const db = openEmbeddedDatabase(paths.database);
      io.out(`sqlite ${paths.database}: schema version ${db.pragma('user_version', { simple: true })}`);
      db.close();
    }
    let client;
    try {
      client = createReadModelClient(url ? { kind: 'server', url } : { kind: 'chdb', path: embeddedPaths((values['data-dir'] as string | undefined) ?? io.env.DATA_DIR ?? './data').clickhouse });
    } catch (error) {
      throw new Error(`cannot open the read model (${(error as Error).message}); is the service running? stop it, or let it migrate at start-up`);
    }
    try {
      const report = await migrateReadModel(client);
      for (const applied of report.applied) io.out(`applied ${applied.version} ${applied.name}`);
      io.out(`read model at version ${report.current}${report.applied.length === 0 ? ' (nothing to do)' : ''}`);
      return EXIT.ok;
    } finally {
      await client.close();
    }
  },
};
