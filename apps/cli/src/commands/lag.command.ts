import { CliCommand, EXIT } from '../cli-command';
import { LagReport } from '@waymark/event-log';
import { READ_MODEL_GROUP } from '@waymark/projection';
import { openEmbeddedData } from '../embedded-data';
import { openKafkaLog } from '../kafka-data';
import { LOG_CHOICE } from './events.commands';

/** Per consumer group and partition: committed position, head, and how far behind. */
export const lagCommand: CliCommand = {
  name: 'lag',
  summary: 'Show how far each consumer group is behind the head of the log.',
  usage: `waymark lag [--data-dir DIR] [--group G]... [--json]

${LOG_CHOICE}
Embedded: every group that has committed (or the --group ones). Kafka: the --group ones,
default the projectors' group "${READ_MODEL_GROUP}". Exit code 0 either way.`,
  options: { 'data-dir': { type: 'string' }, group: { type: 'string', multiple: true }, json: { type: 'boolean' } },
  async run(values, _positionals, io) {
    const asked = values.group as unknown as string[] | undefined;
    const kafka = openKafkaLog(values['data-dir'] as string | undefined, io);
    if (kafka) {
      try {
        printLag(await Promise.all((asked ?? [READ_MODEL_GROUP]).map((group) => kafka.describeLag(group))), Boolean(values.json), io);
        return EXIT.ok;
      } finally {
        await kafka.close();
      }
    }
    const data = openEmbeddedData(values['data-dir'] as string | undefined, io.env);
    try {
      const groups = asked ?? (data.db.prepare('SELECT consumer FROM checkpoints ORDER BY consumer').pluck().all() as string[]);
      printLag(await Promise.all(groups.map((group) => data.eventLog.describeLag(group))), Boolean(values.json), io);
      return EXIT.ok;
    } finally {
      data.close();
    }
  },
};

function printLag(reports: LagReport[], json: boolean, io: Parameters<CliCommand['run']>[2]): void {
  if (json) {
    io.out(JSON.stringify(reports));
    return;
  }
  io.out('group\tpartition\tcommitted\thead\tlag');
  for (const report of reports) {
    for (const partition of report.partitions) io.out(`${report.group}\t${partition.partition}\t${partition.committed}\t${partition.head}\t${partition.lag}`);
  }
  if (reports.length === 0) io.err('no consumer group has committed yet');
}
