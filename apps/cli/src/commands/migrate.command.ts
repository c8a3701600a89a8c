import { MigrationReport, createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { CliCommand, CliIo, EXIT } from '../cli-command';
import { openEmbeddedStores } from '../embedded-stores';

/**
 * Brings the schemas up to date without starting the service (the service also does
 * it at start-up). Embedded: the SQLite store and the chDB read model of a STOPPED
 * service, under DATA_DIR's lock; with --clickhouse-url, a ClickHouse server.
 */
export const migrateCommand: CliCommand = {
  name: 'migrate',
  summary: 'Apply pending schema migrations (SQLite store and ClickHouse read model).',
  usage:
    'waymark migrate [--data-dir DIR] [--clickhouse-url URL]\n\n' +
    'With --data-dir (default $DATA_DIR or ./data) the service must be stopped: chDB opens its data directory in one process at a time.',
  options: { 'data-dir': { type: 'string' }, 'clickhouse-url': { type: 'string' } },
  async run(values, _positionals, io) {
    const url = values['clickhouse-url'] as string | undefined;
    if (url) return migrateServer(url, io);
    // Opening the stores migrates both: SQLite as it opens, the read model right after.
    const stores = await openEmbeddedStores((values['data-dir'] as string | undefined) ?? io.env.DATA_DIR ?? './data', {
      create: true,
      whenBusy: 'stop the service first, or let it migrate at start-up',
    });
    try {
      io.out(`sqlite ${stores.paths.database}: schema version ${String(stores.db.pragma('user_version', { simple: true }))}`);
      describe(stores.migrations, io);
      return EXIT.ok;
    } finally {
      await stores.close();
    }
  },
};

async function migrateServer(url: string, io: CliIo): Promise<number> {
  // CLICKHOUSE_CLUSTER: the statements in their cluster form (ON CLUSTER, Replicated engines, Distributed tables).
  const cluster = io.env.CLICKHOUSE_CLUSTER || undefined;
  const client = createReadModelClient({ kind: 'server', url, cluster });
  try {
    describe(await migrateReadModel(client, undefined, { cluster }), io);
    return EXIT.ok;
  } finally {
    await client.close();
  }
}

function describe(report: MigrationReport, io: CliIo): void {
  for (const applied of report.applied) io.out(`applied ${applied.version} ${applied.name}`);
  io.out(`read model at version ${report.current}${report.applied.length === 0 ? ' (nothing to do)' : ''}`);
}
