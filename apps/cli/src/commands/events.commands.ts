import { EventLogReader, ReadFilter } from '@waymark/event-log';
import { PersonalDataCodec } from '@waymark/privacy';
import { createWriteStream } from 'node:fs';
import { CliCommand, CliIo, EXIT, UsageError } from '../cli-command';
import { openEmbeddedData } from '../embedded-data';
import { openKafkaCodec, openKafkaLog } from '../kafka-data';
import { codecIfKeys, decodeForPrinting, productsOf, withSubjects } from './decoded-events';
import { exportFromKafka, tailFromKafka } from './kafka-tools';
import { ProgressLine } from '../progress-bar';

const BATCH = 5000;

/** Which log the event tools read, said in each one's --help. */
export const LOG_CHOICE = `Reads the embedded log in --data-dir (default $DATA_DIR or ./data; safe while the service
runs), or, when KAFKA_BROKERS is set and --data-dir is not given, the Kafka event topic of a
distributed deployment (KAFKA_TOPIC and the other KAFKA_* settings as the apps use them).
Events are shown as the API made them, decoded with the service's keys (TOKEN_KEYS_FILE,
PRIVACY_KEYS_FILE as the service sets them; on Kafka the user keys in REDIS_URL); erased
users' events are left out (docs/privacy.md).`;

const filterOptions = {
  'data-dir': { type: 'string' },
  product: { type: 'string' },
  tag: { type: 'string' },
  identifier: { type: 'string' },
  type: { type: 'string' },
} as const;

function filterFrom(values: Record<string, string | boolean | undefined>): ReadFilter {
  const time = (name: 'since' | 'until'): number | undefined => {
    const raw = values[name] as string | undefined;
    if (raw === undefined) return undefined;
    const at = Date.parse(raw);
    if (!Number.isFinite(at)) throw new UsageError(`--${name}: not an ISO-8601 time: ${raw}`);
    return at;
  };
  return {
    product: values.product as string | undefined,
    tag: values.tag as string | undefined,
    identifier: values.identifier as string | undefined,
    types: values.type ? (values.type as string).split(',') : undefined,
    since: time('since'),
    until: time('until'),
  };
}

/** NDJSON export of the log: one envelope per line, in log order. */
export const eventsExportCommand: CliCommand = {
  name: 'events export',
  summary: 'Write events as NDJSON, filtered by time range, product, tag, identifier, type.',
  usage: `waymark events export [--data-dir DIR] [--since ISO] [--until ISO] [--product P] [--tag T] [--identifier I] [--type T1,T2] [--out FILE]

${LOG_CHOICE}
Without --out, NDJSON goes to stdout; progress goes to stderr. On Kafka: the topic as it is
when the export starts, in offset order within each partition.`,
  options: { ...filterOptions, since: { type: 'string' }, until: { type: 'string' }, out: { type: 'string' } },
  async run(values, _positionals, io) {
    const filter = filterFrom(values);
    const file = values.out ? createWriteStream(values.out as string) : undefined;
    const write = (text: string) =>
      file ? new Promise<void>((resolve) => (file.write(text) ? resolve() : file.once('drain', resolve))) : Promise.resolve(io.out(text.replace(/\n$/, '')));
    const closeFile = () =>
      file ? new Promise<void>((resolve, reject) => file.end((error?: Error | null) => (error ? reject(error) : resolve()))) : Promise.resolve();
    const kafka = openKafkaLog(values['data-dir'] as string | undefined, io);
    if (kafka) {
      const keys = await codecIfKeys(() => openKafkaCodec(io), io);
      try {
        await exportFromKafka(kafka, filter, write, io, keys?.codec);
        await closeFile();
        return EXIT.ok;
      } finally {
        await kafka.close();
        await keys?.close();
      }
    }
    const data = openEmbeddedData(values['data-dir'] as string | undefined, io.env);
    try {
      const codec = await codecIfKeys(() => data.codec(), io);
      const reader = data.eventLog.openReader(await withSubjects(filter, codec, productsOf(data.db)));
      const head = await reader.head();
      const first = await reader.resolveStart({ kind: 'beginning' });
      const total = first === undefined ? 0 : await reader.count(first, head);
      const line = new ProgressLine(io.progress ?? io.err, io.isTty ?? false);
      let exported = 0;
      let cursor: { after: string } | { from: string } | undefined = first === undefined ? undefined : { from: first };
      while (cursor) {
        const records = await reader.read(cursor, BATCH);
        const inRange = records.filter((record) => reader.compare(record.position, head) <= 0);
        const { lines } = await decodeForPrinting(inRange, codec);
        if (lines.length > 0) await write(lines.join('\n') + '\n');
        exported += lines.length;
        line.update(`exported ${exported.toLocaleString('en-US')}/${total.toLocaleString('en-US')} events`);
        cursor = inRange.length === BATCH ? { after: inRange[inRange.length - 1].position } : undefined;
      }
      await closeFile();
      line.finish(`exported ${exported.toLocaleString('en-US')} events${values.out ? ` to ${values.out}` : ''}`);
      return EXIT.ok;
    } finally {
      data.close();
    }
  },
};

/** Follows the log: prints new events as NDJSON as they are appended, until Ctrl-C. */
export const eventsTailCommand: CliCommand = {
  name: 'events tail',
  summary: 'Follow the log, printing new events (NDJSON) as they are appended.',
  usage: `waymark events tail [--data-dir DIR] [--product P] [--tag T] [--identifier I] [--type T1,T2] [--last N] [--once]

${LOG_CHOICE}
Starts at the end of the log (or N events before it with --last; on Kafka, N records before
the end of each partition), then follows new events until Ctrl-C (embedded: polls every
250 ms). --once prints what is there and exits.`,
  options: { ...filterOptions, last: { type: 'string' }, once: { type: 'boolean' } },
  async run(values, _positionals, io) {
    const last = values.last === undefined ? 0 : Number(values.last);
    if (!Number.isInteger(last) || last < 0) throw new UsageError('--last must be a whole number');
    const kafka = openKafkaLog(values['data-dir'] as string | undefined, io);
    if (kafka) {
      const keys = await codecIfKeys(() => openKafkaCodec(io), io);
      try {
        return await tailFromKafka(kafka, filterFrom(values), last, Boolean(values.once), io, keys?.codec);
      } finally {
        await kafka.close();
        await keys?.close();
      }
    }
    const data = openEmbeddedData(values['data-dir'] as string | undefined, io.env);
    try {
      const codec = await codecIfKeys(() => data.codec(), io);
      const filter = await withSubjects(filterFrom(values), codec, productsOf(data.db));
      return await tail(data.eventLog.openReader(filter), last, Boolean(values.once), io, codec);
    } finally {
      data.close();
    }
  },
};

async function tail(reader: EventLogReader, last: number, once: boolean, io: CliIo, codec: PersonalDataCodec | undefined): Promise<number> {
  let stopped = false;
  io.onInterrupt?.(() => (stopped = true));
  const head = Number(await reader.head());
  let after = String(Math.max(0, head - (last > 0 ? last * 50 : 0)));
  if (last > 0) {
    // Filters make "the last N" a search backwards; read a window and keep its tail.
    const window = await decodeForPrinting(await reader.read({ after }, last * 50), codec);
    for (const line of window.lines.slice(-last)) io.out(line);
    after = String(head);
  }
  while (!stopped) {
    const records = await reader.read({ after }, BATCH);
    for (const line of (await decodeForPrinting(records, codec)).lines) io.out(line);
    if (records.length > 0) after = records[records.length - 1].position;
    if (once && records.length < BATCH) break;
    if (records.length < BATCH) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return EXIT.ok;
}
