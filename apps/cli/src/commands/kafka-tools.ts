import { EventEnvelope, checkEnvelope } from '@waymark/domain';
import { KafkaEventLog, ReadFilter, ScannedRecord, recordMatches } from '@waymark/event-log';
import { PersonalDataCodec } from '@waymark/privacy';
import { CliIo, EXIT } from '../cli-command';
import { ProgressLine } from '../progress-bar';
import { decodeForPrinting } from './decoded-events';

/**
 * The event tools on a distributed deployment's Kafka topics. Same options and output
 * as on the embedded log; what differs is said in each command's --help: positions are
 * `<partition>:<offset>`, order holds within a partition, and a dead letter stays on its
 * topic after a redrive (Kafka records cannot be marked).
 */

const count = (n: number) => n.toLocaleString('en-US');

/**
 * The records of a scanned batch to print, decoded (decoded-events.ts). With a codec the
 * identifier is matched after decoding: a stored record names its user by a subject
 * per product, which the topic gives no way to find up front.
 */
async function printable(records: readonly ScannedRecord[], filter: ReadFilter, codec: PersonalDataCodec | undefined): Promise<string[]> {
  if (!codec) return records.filter((record) => recordMatches(record.raw, filter)).map((record) => record.raw);
  const candidates = records.filter((record) => recordMatches(record.raw, { ...filter, identifier: undefined }));
  return (await decodeForPrinting(candidates, codec, filter.identifier)).lines;
}

/** NDJSON of the events in scope, from the topic as it is when the export starts. */
export async function exportFromKafka(
  log: KafkaEventLog,
  filter: ReadFilter,
  write: (text: string) => Promise<void>,
  io: CliIo,
  codec?: PersonalDataCodec,
): Promise<{ exported: number }> {
  const line = new ProgressLine(io.progress ?? io.err, io.isTty ?? false);
  let scanned = 0;
  let exported = 0;
  // From the oldest record the topic keeps; --since and --until filter on the events' time.
  const summary = await log.scan('events', {
    start: { kind: 'beginning' },
    follow: false,
    onRecords: async (records) => {
      scanned += records.length;
      const lines = await printable(records, filter, codec);
      if (lines.length > 0) await write(lines.join('\n') + '\n');
      exported += lines.length;
      line.update(`read ${count(scanned)} records, exported ${count(exported)} events`);
    },
  });
  line.finish(`read ${count(summary.records)} records, exported ${count(exported)} events`);
  return { exported };
}

/** Prints matching events as they arrive, from `last` records before the end of each partition. */
export async function tailFromKafka(
  log: KafkaEventLog,
  filter: ReadFilter,
  last: number,
  once: boolean,
  io: CliIo,
  codec?: PersonalDataCodec,
): Promise<number> {
  const stop = new AbortController();
  io.onInterrupt?.(() => stop.abort());
  await log.scan('events', {
    start: { kind: 'end', minus: last },
    follow: !once,
    signal: stop.signal,
    onRecords: async (records) => {
      for (const line of await printable(records, filter, codec)) io.out(line);
    },
  });
  return EXIT.ok;
}

export interface KafkaDeadLetter {
  /** Where the dead letter sits on the dead-letter topic: `<partition>:<offset>`, its id for show and redrive. */
  id: string;
  group: string;
  /** Where the record sat on the event topic. */
  source: string;
  reason: string;
  recordedAt: string;
  record: ScannedRecord;
}

/** Every dead letter on the topic now, oldest first within each partition. */
export async function readKafkaDeadLetters(log: KafkaEventLog): Promise<KafkaDeadLetter[]> {
  const letters: KafkaDeadLetter[] = [];
  await log.scan('dead-letters', {
    start: { kind: 'beginning' },
    follow: false,
    onRecords: (records) => {
      for (const record of records) {
        letters.push({
          id: record.position,
          group: record.headers['dead-letter-group'] ?? '',
          source: record.headers['dead-letter-source'] ?? '',
          reason: record.headers['dead-letter-reason'] ?? '',
          recordedAt: record.headers['dead-letter-at'] ?? new Date(record.timestamp).toISOString(),
          record,
        });
      }
    },
  });
  return letters.sort((a, b) => a.recordedAt.localeCompare(b.recordedAt) || a.id.localeCompare(b.id));
}

export function describeKafkaDeadLetter(letter: KafkaDeadLetter): { id: string; consumer: string; source: string; reason: string; recordedAt: string } {
  return { id: letter.id, consumer: letter.group, source: letter.source, reason: letter.reason, recordedAt: letter.recordedAt };
}

/** Whether the event's user was erased: redriving it would only put their record back on the topic. */
async function erased(codec: PersonalDataCodec, event: EventEnvelope): Promise<boolean> {
  await codec.prepareDecode([event]);
  return codec.decode(event) === undefined;
}

/**
 * Sends the chosen dead letters back to the event topic. One that still fails the
 * envelope check is left alone and reported, as on the embedded log. Redriving twice
 * sends twice; the projection counts an event once by its id, so that costs bytes only.
 */
export async function redriveKafkaDeadLetters(
  log: KafkaEventLog,
  ids: string[] | 'all',
  dryRun: boolean,
  io: CliIo,
  codec?: PersonalDataCodec,
): Promise<number> {
  const letters = await readKafkaDeadLetters(log);
  const chosen = ids === 'all' ? letters : ids.map((id) => letters.find((letter) => letter.id === id) ?? id);
  let failed = 0;
  const redrivable: KafkaDeadLetter[] = [];
  for (const entry of chosen) {
    if (typeof entry === 'string') {
      failed += 1;
      io.err(`${entry}: no such dead letter (ids are <partition>:<offset> from \`waymark dlq list\`)`);
      continue;
    }
    const check = checkEnvelope(entry.record.raw);
    if (!check.ok) {
      failed += 1;
      io.err(`${entry.id}: still not projectable (${check.reason}); left in place`);
      continue;
    }
    if (codec && (await erased(codec, check.event))) {
      io.err(`${entry.id}: the event of an erased user; not redriven`);
      continue;
    }
    redrivable.push(entry);
    io.out(`${dryRun ? 'would redrive' : 'redriven'} ${entry.id} (${check.event.type} ${check.event.id})`);
  }
  if (!dryRun) await log.redrive(redrivable.map((letter) => letter.record));
  return failed > 0 ? EXIT.failed : EXIT.ok;
}
