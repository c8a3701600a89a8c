import { PersonalDataCodec } from '@waymark/privacy';
import { SqliteConnection } from '@waymark/sqlite';
import { CliCommand, CliIo, EXIT, UsageError } from '../cli-command';
import { EmbeddedStores, openEmbeddedStores } from '../embedded-stores';
import { ProgressLine, renderProgress } from '../progress-bar';
import { RawRow, RewriteBatch, storedForms } from './legacy-stored-form';

/** Rows per transaction: small enough to keep each commit short, large enough to amortise the fsync. */
const BATCH = 4000;

/** A row of the log written before crypto-shredding: a user's identifier in the clear and no subject. CASE: json_type fails on malformed JSON. */
const LEGACY_EVENT = `identifier <> '' AND CASE WHEN json_valid(body) THEN json_type(body, '$.subject') IS NULL ELSE 0 END`;

const DISTRIBUTED_NOTE = `waymark privacy migrate: nothing to do in distributed mode. A Kafka topic cannot be
rewritten in place: the events written before crypto-shredding keep their identifier in the
clear until the topic's retention (retention.ms) removes them, and the decoders skip those of
an erased identifier through its erasure record. See docs/privacy.md.`;

export interface MigrationTotals {
  events: { legacy: number; rewritten: number; erased: number; sealedLeft: number; unreadable: number };
  deadLetters: { rewritten: number; erased: number; sealedLeft: number; unreadable: number };
  /** Users whose key records were created by this run. */
  usersGivenKeys: number;
  /** Log rows left in the clear because they are not events (malformed JSON). */
  malformedRows: number;
  vacuumed: boolean;
  interrupted: boolean;
}

export const privacyMigrateCommand: CliCommand = {
  name: 'privacy migrate',
  summary: 'Rewrite an embedded log written before crypto-shredding into the stored form (service stopped).',
  usage: `waymark privacy migrate --data-dir DIR --yes

Embedded mode, service STOPPED (takes DATA_DIR's lock). Rewrites, in place, every event the
SQLite log holds with its user's identifier in the clear (written before crypto-shredding,
docs/privacy.md) into the form the service stores today: the identifier replaced by the
user's subject, the session data sealed with the user's own key (key records are created in
keys.db as needed, with the service's key settings: TOKEN_KEYS_FILE, PRIVACY_KEYS_FILE).
Positions do not change, so consumer checkpoints stay valid. Then the dead letters' bodies.
Events of an identifier erased before the migration get no key: they are stored under a
subject whose key is thrown away, so no reader can link or open them.
secure_delete is on while rows are rewritten, and a VACUUM at the end (needs free disk space
about the size of waymark.db) rebuilds the file, so the clear identifiers do not survive in
free pages or the WAL. Resumable: run it again after an interruption (Ctrl-C stops after the
batch in hand); rows already in the stored form are skipped, and a run with nothing left to
rewrite changes nothing. The read model (ClickHouse) is not touched.
Back up DATA_DIR first. --yes confirms.

Distributed mode (KAFKA_BROKERS set, no --data-dir): a Kafka topic cannot be rewritten;
prints what happens to its legacy events instead (docs/privacy.md) and exits 0.

Exit status: 0 done (or nothing to do); 1 failed or interrupted (run again to continue);
2 bad usage.`,
  options: {
    'data-dir': { type: 'string' },
    yes: { type: 'boolean' },
  },
  async run(values, _positionals, io) {
    const dataDir = values['data-dir'] as string | undefined;
    if (dataDir === undefined && io.env.KAFKA_BROKERS) {
      io.out(DISTRIBUTED_NOTE);
      return EXIT.ok;
    }
    if (!dataDir) throw new UsageError('--data-dir is required (the data directory of a stopped embedded service)');
    if (!values.yes) throw new UsageError('--yes is required: the log is rewritten in place (back up the data directory first)');
    const stores = await openEmbeddedStores(dataDir, { whenBusy: 'stop the service first: the migration rewrites its log in place' });
    try {
      const codec = openCodecExplained(stores, dataDir);
      let interrupted = false;
      io.onInterrupt?.(() => (interrupted = true));
      const totals = await migrateLog(stores.db, codec, io, () => interrupted);
      io.out(describe(totals));
      if (totals.interrupted) {
        io.err('interrupted: run the same command again to continue');
        return EXIT.failed;
      }
      return EXIT.ok;
    } finally {
      await stores.close();
    }
  },
};

/** The codec, or a refusal saying how to get the privacy key file a legacy data dir lacks. */
function openCodecExplained(stores: EmbeddedStores, dataDir: string): PersonalDataCodec {
  try {
    return stores.codec();
  } catch (error) {
    throw new Error(
      `${(error as Error).message}; a data directory from before crypto-shredding has no privacy key file yet: ` +
        `create it with "waymark keys generate --privacy --out <PRIVACY_KEYS_FILE, default ${dataDir}/privacy-keys.json>" ` +
        '(or start the new service once outside production), then run this again',
      { cause: error },
    );
  }
}

/**
 * The migration proper, on an open embedded database (the caller holds DATA_DIR's lock):
 * the log's legacy rows, then the dead letters, then VACUUM. Exported for tests.
 */
export async function migrateLog(
  db: SqliteConnection,
  codec: PersonalDataCodec,
  io: CliIo,
  stop: () => boolean = () => false,
  batchSize = BATCH,
): Promise<MigrationTotals> {
  const totals: MigrationTotals = {
    events: { legacy: 0, rewritten: 0, erased: 0, sealedLeft: 0, unreadable: 0 },
    deadLetters: { rewritten: 0, erased: 0, sealedLeft: 0, unreadable: 0 },
    usersGivenKeys: 0,
    malformedRows: db.prepare(`SELECT count(*) FROM events WHERE identifier <> '' AND NOT json_valid(body)`).pluck().get() as number,
    vacuumed: false,
    interrupted: false,
  };
  // Overwrite what a rewrite frees (the old cells, with the clear identifier) instead of leaving it in the file.
  const secureDelete = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = ON');
  try {
    totals.events.legacy = db.prepare(`SELECT count(*) FROM events WHERE ${LEGACY_EVENT}`).pluck().get() as number;
    const line = new ProgressLine(io.progress ?? io.err, io.isTty ?? false);
    await rewriteEvents(db, codec, totals, line, stop, batchSize);
    if (!totals.interrupted) await rewriteDeadLetters(db, codec, totals, stop, batchSize);
    if (totals.interrupted) return totals;
    // The WAL holds page images from before each batch: fold it into the main file, then rebuild
    // the file without its free pages, and leave no WAL behind. A re-run with nothing rewritten
    // still vacuums when an interrupted run left free pages.
    db.pragma('wal_checkpoint(TRUNCATE)');
    const rewritten = totals.events.rewritten + totals.deadLetters.rewritten;
    if (rewritten > 0 || (db.pragma('freelist_count', { simple: true }) as number) > 0) {
      io.err('vacuuming waymark.db (rebuilds the file without the old rows)…');
      db.exec('VACUUM');
      totals.vacuumed = true;
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
    return totals;
  } finally {
    db.pragma(`secure_delete = ${secureDelete === 1 ? 'ON' : secureDelete === 2 ? 'FAST' : 'OFF'}`);
  }
}

async function rewriteEvents(
  db: SqliteConnection,
  codec: PersonalDataCodec,
  totals: MigrationTotals,
  line: ProgressLine,
  stop: () => boolean,
  batchSize: number,
): Promise<void> {
  const select = db.prepare(`SELECT position AS key, body FROM events WHERE position > ? AND ${LEGACY_EVENT} ORDER BY position LIMIT ?`);
  const update = db.prepare('UPDATE events SET body = ?, identifier = ? WHERE position = ?');
  const total = totals.events.legacy;
  const started = Date.now();
  const draw = (phase: string) => {
    const done = totals.events.rewritten + totals.events.unreadable;
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    return renderProgress({ processed: done, total, eventsPerSecond: rate, etaSeconds: rate > 0 ? Math.ceil((total - done) / rate) : undefined, phase });
  };
  let after = 0;
  for (;;) {
    if (stop()) {
      totals.interrupted = true;
      line.finish(draw('interrupted'));
      return;
    }
    const rows = select.all(after, batchSize) as RawRow[];
    if (rows.length === 0) break;
    after = rows[rows.length - 1].key;
    const batch = await storedForms(codec, rows);
    // Keys are durable in keys.db (storedForms awaited them) before the rows that need them change.
    db.transaction(() => {
      for (const rewrite of batch.rewrites) update.run(rewrite.body, rewrite.subject, rewrite.key);
    })();
    add(totals.events, batch);
    totals.usersGivenKeys += batch.newUsers;
    line.update(draw('rewriting events'));
  }
  line.finish(draw('events rewritten'));
}

async function rewriteDeadLetters(
  db: SqliteConnection,
  codec: PersonalDataCodec,
  totals: MigrationTotals,
  stop: () => boolean,
  batchSize: number,
): Promise<void> {
  const select = db.prepare('SELECT id AS key, body FROM dead_letters WHERE id > ? ORDER BY id LIMIT ?');
  const update = db.prepare('UPDATE dead_letters SET body = ? WHERE id = ?');
  let after = 0;
  for (;;) {
    if (stop()) {
      totals.interrupted = true;
      return;
    }
    const rows = select.all(after, batchSize) as RawRow[];
    if (rows.length === 0) return;
    after = rows[rows.length - 1].key;
    const batch = await storedForms(codec, rows);
    db.transaction(() => {
      for (const rewrite of batch.rewrites) update.run(rewrite.body, rewrite.key);
    })();
    add(totals.deadLetters, batch);
    totals.usersGivenKeys += batch.newUsers;
  }
}

function add(into: { rewritten: number; erased: number; sealedLeft: number; unreadable: number }, batch: RewriteBatch): void {
  into.rewritten += batch.rewrites.length;
  into.erased += batch.erased;
  into.sealedLeft += batch.sealedLeft;
  into.unreadable += batch.unreadable;
}

/** What the run did, for the operator (stdout). */
export function describe(totals: MigrationTotals): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const { events, deadLetters } = totals;
  const lines = [
    `events rewritten: ${n(events.rewritten)} of ${n(events.legacy)} found in the clear` +
      (events.erased > 0 ? ` (${n(events.erased)} of users erased before: stored under a key that no longer exists)` : ''),
    `dead letters rewritten: ${n(deadLetters.rewritten)}` + (deadLetters.erased > 0 ? ` (${n(deadLetters.erased)} of erased users)` : ''),
    `users given keys: ${n(totals.usersGivenKeys)}`,
  ];
  const sealedLeft = events.sealedLeft + deadLetters.sealedLeft;
  if (sealedLeft > 0) lines.push(`session starts whose data no token key opens any more (left sealed, identifier removed): ${n(sealedLeft)}`);
  const unreadable = events.unreadable + totals.malformedRows + deadLetters.unreadable;
  if (unreadable > 0) lines.push(`rows left as they are, not readable as events: ${n(unreadable)} (see waymark dlq list / log repair)`);
  lines.push(totals.vacuumed ? 'waymark.db vacuumed; WAL emptied' : totals.interrupted ? 'not vacuumed (interrupted)' : 'nothing to vacuum');
  return lines.join('\n');
}
