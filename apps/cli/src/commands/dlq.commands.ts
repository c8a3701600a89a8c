import { EventEnvelope, checkEnvelope } from '@waymark/domain';
import { PersonalDataCodec } from '@waymark/privacy';
import { CliCommand, CliIo, EXIT, UsageError } from '../cli-command';
import { openEmbeddedData } from '../embedded-data';
import { openKafkaCodec, openKafkaLog } from '../kafka-data';
import { codecIfKeys, decodeForPrinting } from './decoded-events';
import { LOG_CHOICE } from './events.commands';
import { describeKafkaDeadLetter, readKafkaDeadLetters, redriveKafkaDeadLetters } from './kafka-tools';

interface DeadLetterRow {
  id: number;
  consumer: string;
  position: number;
  reason: string;
  body: string;
  recorded_at: number;
  redriven_at: number | null;
}

const dataDir = { 'data-dir': { type: 'string' } } as const;

export const dlqListCommand: CliCommand = {
  name: 'dlq list',
  summary: 'List dead letters (records a consumer could not process) with their reasons.',
  usage: `waymark dlq list [--data-dir DIR] [--all] [--json]

${LOG_CHOICE.replace('event topic', 'dead-letter topic')}
Shows dead letters not yet redriven (--all: every one; on Kafka every one is shown, a
record on a topic cannot be marked). --json prints one JSON object per line.`,
  options: { ...dataDir, all: { type: 'boolean' }, json: { type: 'boolean' } },
  async run(values, _positionals, io) {
    const kafka = openKafkaLog(values['data-dir'] as string | undefined, io);
    if (kafka) {
      try {
        const letters = (await readKafkaDeadLetters(kafka)).map(describeKafkaDeadLetter);
        for (const entry of letters)
          io.out(values.json ? JSON.stringify(entry) : `${entry.id}\t${entry.consumer}\tsource ${entry.source}\t${entry.recordedAt}\t${entry.reason}`);
        if (!values.json) io.err(`${letters.length} dead letter(s)`);
        return EXIT.ok;
      } finally {
        await kafka.close();
      }
    }
    const data = openEmbeddedData(values['data-dir'] as string | undefined, io.env);
    try {
      const rows = data.db
        .prepare(
          `SELECT id, consumer, position, reason, recorded_at, redriven_at FROM dead_letters ${values.all ? '' : 'WHERE redriven_at IS NULL'} ORDER BY id`,
        )
        .all() as DeadLetterRow[];
      for (const row of rows) {
        const entry = {
          id: row.id,
          consumer: row.consumer,
          position: row.position,
          reason: row.reason,
          recordedAt: new Date(row.recorded_at).toISOString(),
          redrivenAt: row.redriven_at ? new Date(row.redriven_at).toISOString() : null,
        };
        io.out(
          values.json
            ? JSON.stringify(entry)
            : [
                entry.id,
                entry.consumer,
                `position ${entry.position}`,
                entry.recordedAt,
                entry.reason,
                ...(entry.redrivenAt ? [`(redriven ${entry.redrivenAt})`] : []),
              ].join('\t'),
        );
      }
      if (!values.json) io.err(`${rows.length} dead letter(s)`);
      return EXIT.ok;
    } finally {
      data.close();
    }
  },
};

export const dlqShowCommand: CliCommand = {
  name: 'dlq show',
  summary: 'Show one dead letter: its reason and the record as it was in the log.',
  usage: `waymark dlq show ID [--data-dir DIR]

ID is the first column of \`waymark dlq list\` (on Kafka, <partition>:<offset> on the dead-letter topic).`,
  options: dataDir,
  async run(values, positionals, io) {
    const kafka = openKafkaLog(values['data-dir'] as string | undefined, io);
    if (kafka) {
      if (positionals[0] === undefined) throw new UsageError('ID (<partition>:<offset> from `waymark dlq list`) is required');
      const keys = await codecIfKeys(() => openKafkaCodec(io), io);
      try {
        const letter = (await readKafkaDeadLetters(kafka)).find((candidate) => candidate.id === positionals[0]);
        if (!letter) {
          io.err(`no dead letter ${positionals[0]}`);
          return EXIT.failed;
        }
        io.out(JSON.stringify({ ...describeKafkaDeadLetter(letter), record: await shownRecord(letter.record.raw, keys?.codec) }, null, 2));
        return EXIT.ok;
      } finally {
        await kafka.close();
        await keys?.close();
      }
    }
    const id = Number(positionals[0]);
    if (!Number.isInteger(id)) throw new UsageError('ID (a number from `waymark dlq list`) is required');
    const data = openEmbeddedData(values['data-dir'] as string | undefined, io.env);
    try {
      const row = data.db.prepare('SELECT * FROM dead_letters WHERE id = ?').get(id) as DeadLetterRow | undefined;
      if (!row) {
        io.err(`no dead letter ${id}`);
        return EXIT.failed;
      }
      const record = await shownRecord(row.body, await codecIfKeys(() => data.codec(), io));
      io.out(
        JSON.stringify(
          {
            id: row.id,
            consumer: row.consumer,
            position: row.position,
            reason: row.reason,
            recordedAt: new Date(row.recorded_at).toISOString(),
            redrivenAt: row.redriven_at,
            record,
          },
          null,
          2,
        ),
      );
      return EXIT.ok;
    } finally {
      data.close();
    }
  },
};

/**
 * Sends dead letters back through the stream: each record is appended to the log again
 * (after a fix or an upgrade that understands it), so the live projector tries it once
 * more. Records that still fail the envelope check are left in place and reported:
 * redriving them would only dead-letter them again.
 */
export const dlqRedriveCommand: CliCommand = {
  name: 'dlq redrive',
  summary: 'Append dead letters to the log again so the projector retries them.',
  usage: `waymark dlq redrive (ID... | --all) [--data-dir DIR] [--dry-run]

On Kafka the records go back to the event topic with their original keys; the dead letters
stay on their topic, so redriving again sends them again (the read model counts an event
once by its id).`,
  options: { ...dataDir, all: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
  async run(values, positionals, io) {
    if (!values.all && positionals.length === 0) throw new UsageError('give dead-letter IDs or --all');
    const kafka = openKafkaLog(values['data-dir'] as string | undefined, io);
    if (kafka) {
      const keys = await codecIfKeys(() => openKafkaCodec(io), io);
      try {
        return await redriveKafkaDeadLetters(kafka, values.all ? 'all' : positionals, Boolean(values['dry-run']), io, keys?.codec);
      } finally {
        await kafka.close();
        await keys?.close();
      }
    }
    const ids = positionals.map(Number);
    if (ids.some((id) => !Number.isInteger(id))) throw new UsageError('IDs are numbers from `waymark dlq list`');
    const data = openEmbeddedData(values['data-dir'] as string | undefined, io.env);
    try {
      const codec = await codecIfKeys(() => data.codec(), io);
      // Said after the refusals: records that went back, but not in the form they should have.
      const notes: string[] = [];
      const rows = (
        values.all
          ? data.db.prepare('SELECT * FROM dead_letters WHERE redriven_at IS NULL ORDER BY id').all()
          : ids.map((id) => data.db.prepare('SELECT * FROM dead_letters WHERE id = ?').get(id)).filter(Boolean)
      ) as DeadLetterRow[];
      let failed = 0;
      for (const row of rows) {
        if (row.redriven_at !== null) {
          io.err(`${row.id}: already redriven`);
          continue;
        }
        const check = checkEnvelope(row.body);
        if (!check.ok) {
          failed += 1;
          io.err(`${row.id}: still not projectable (${check.reason}); left in place`);
          continue;
        }
        const stored = await storedForRedrive(check.event, codec, io, row.id, notes);
        if (!stored) continue;
        if (!values['dry-run']) {
          await data.writer.run(() => {
            data.eventLog.appendWithin([stored]);
            data.db.prepare('UPDATE dead_letters SET redriven_at = ? WHERE id = ?').run(Date.now(), row.id);
          });
        }
        io.out(`${values['dry-run'] ? 'would redrive' : 'redriven'} ${row.id} (${check.event.type} ${check.event.id})`);
      }
      for (const note of notes) io.err(note);
      return failed > 0 ? EXIT.failed : EXIT.ok;
    } finally {
      data.close();
    }
  },
};

/** A dead letter's record as `dlq show` prints it: decoded when it is a stored event and the keys are at hand (decoded-events.ts). */
async function shownRecord(raw: string, codec: PersonalDataCodec | undefined): Promise<string> {
  const decoded = await decodeForPrinting([{ position: '', raw }], codec);
  return decoded.erased > 0 ? '(the event of an erased user: not shown)' : decoded.lines[0];
}

/**
 * What a redrive appends for a dead letter's event: a stored event (it names its
 * subject) goes back as it was stored; one written before crypto-shredding (identifier
 * in the clear) is stored encoded, as the service stores events now. Undefined when its
 * user was erased: redriving it would only bring their identifier back into the log
 * (and, encoded, give them a new key). Without the keys, the event goes back as stored.
 */
async function storedForRedrive(
  event: EventEnvelope,
  codec: PersonalDataCodec | undefined,
  io: CliIo,
  id: number,
  notes: string[],
): Promise<EventEnvelope | undefined> {
  if (!codec) return event;
  await codec.prepareDecode([event]);
  if (codec.decode(event) === undefined) {
    io.err(`${id}: the event of an erased user; not redriven, left in place`);
    return undefined;
  }
  if (event.subject !== undefined || event.identifier === '') return event;
  try {
    return (await codec.encodeAll([event]))[0];
  } catch (error) {
    // Data the codec cannot re-seal (not sealed with the token keys): as before, as it is.
    notes.push(`${id}: redriven as it was stored, not encoded: ${(error as Error).message}`);
    return event;
  }
}
