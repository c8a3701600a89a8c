import { CliCommand, EXIT } from '../cli-command';
import { openEmbeddedData } from '../embedded-data';

/** Per consumer group and partition: committed position, head, and how far behind. */
export const lagCommand: CliCommand = {
  name: 'lag',
  summary: 'Show how far each consumer group is behind the head of the log.',
  usage: 'waymark lag [--data-dir DIR] [--json]\n\nReads the embedded log (safe while the service runs). Exit code 0 either way.',
  options: { 'data-dir': { type: 'string' }, json: { type: 'boolean' } },
  async run(values, _positionals, io) {
    const data = openEmbeddedData(values['data-dir'] as string | undefined, io.env);
    try {
      const groups = data.db.prepare('SELECT consumer FROM checkpoints ORDER BY consumer').pluck().all() as string[];
      const reports = await Promise.all(groups.map((group) => data.eventLog.describeLag(group)));
      if (values.json) {
        io.out(JSON.stringify(reports));
        return EXIT.ok;
      }
      io.out('group\tpartition\tcommitted\thead\tlag');
      for (const report of reports) {
        for (const partition of report.partitions) io.out(`${report.group}\t${partition.partition}\t${partition.committed}\t${partition.head}\t${partition.lag}`);
      }
      if (reports.length === 0) io.err('no consumer group has committed yet');
      return EXIT.ok;
    } finally {
      data.close();
    }
  },
};
