import { ConfigError, distributedEnvShape, distributedSettingsFrom, parseEnv } from '@waymark/config';
import { KafkaEventLog, SqliteEventLog } from '@waymark/event-log';
import { RedisUserKeyStore } from '@waymark/privacy';
import { createReadModelClient } from '@waymark/read-model';
import { ReplayRun } from '@waymark/replay';
import { DataDirLockedError, GroupCommitWriter, lockDataDir, openEmbeddedDatabase } from '@waymark/sqlite';
import { embeddedPaths } from '@waymark/storage';
import Redis from 'ioredis';
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { CliCommand, CliIo, EXIT, UsageError } from '../cli-command';
import { openKafkaCodec } from '../kafka-data';
import { MigrationCheck, checkMigration } from '../migration/check-migration';
import { copyEvents } from '../migration/copy-events';
import { copySessionStores } from '../migration/copy-session-stores';
import { copyUserKeys } from '../migration/copy-user-keys';
import {
  MigrationState,
  MigrationTarget,
  loadMigrationState,
  migrationStatePath,
  newMigrationState,
  saveMigrationState,
  targetMismatch,
} from '../migration/migration-state';
import { ProgressLine } from '../progress-bar';
import { openKafkaReplayEngine } from '../replay-engines';

const USAGE = `waymark migrate-to-distributed --data-dir DIR [--yes] [--sample N] [--json]

Moves a STOPPED embedded service's data into a running distributed set-up, in order:
  1. user keys and erasure records: keys.db → Redis (sealed as they are)
  2. session records (refresh tokens keep working) and specs: waymark.db → Redis
  3. the event log → the Kafka topic, in log order, each event with its id and time
  4. a replay from the topic builds the ClickHouse read model (as \`waymark replay\`)
  5. a check: every event in the topic, the read model's count, and a random sample of
     sessions compared event by event with the log

Target: KAFKA_BROKERS, KAFKA_TOPIC, KAFKA_PARTITIONS, REDIS_URL, REDIS_KEY_PREFIX and
CLICKHOUSE_URL, as for the distributed apps. The distributed apps must be given the
embedded service's keys (TOKEN_KEYS_FILE and PRIVACY_KEYS_FILE pointing at the files in
the data directory, or the same values): the events, sessions and user keys stay sealed
with them.

Resumable: progress is kept in DIR/migrate-to-distributed.json (after every batch Kafka
acknowledged); run the same command again to continue, or to check a finished migration.
The first run refuses a target that is not empty.

  --data-dir DIR  the embedded service's data directory (or DATA_DIR)
  --yes           required for the first run: confirms the target is the one to fill
  --sample N      sessions compared event by event at the end (default 50)
  --json          print the report as JSON
Exit codes: 0 migrated and checked, 1 failed or the check found a difference, 2 usage.`;

const envSchema = z.object({ ...distributedEnvShape, DATA_DIR: z.string().optional() });

interface Report {
  state: MigrationState;
  check: MigrationCheck;
}

export const migrateToDistributedCommand: CliCommand = {
  name: 'migrate-to-distributed',
  summary: 'Move an embedded data directory into Kafka, Redis and ClickHouse.',
  usage: USAGE,
  options: {
    'data-dir': { type: 'string' },
    yes: { type: 'boolean' },
    sample: { type: 'string' },
    json: { type: 'boolean' },
    // Stops after this many events (the state is saved): moving a large log in several sittings, or a test's interruption.
    'max-events': { type: 'string' },
  },
  async run(values, _positionals, io) {
    let env: z.infer<typeof envSchema>;
    try {
      env = parseEnv(envSchema, io.env);
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(error.message);
      throw error;
    }
    const dataDir = (values['data-dir'] as string | undefined) ?? env.DATA_DIR;
    if (!dataDir) throw new UsageError('give --data-dir: the embedded data directory to migrate');
    const paths = embeddedPaths(dataDir);
    if (!existsSync(paths.database)) throw new UsageError(`no embedded database at ${paths.database} (give --data-dir)`);
    let settings: ReturnType<typeof distributedSettingsFrom>;
    try {
      settings = distributedSettingsFrom(env, ['KAFKA_BROKERS', 'REDIS_URL', 'CLICKHOUSE_URL']);
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(error.message);
      throw error;
    }
    if (!settings || !env.REDIS_URL || !env.CLICKHOUSE_URL)
      throw new UsageError('KAFKA_BROKERS, REDIS_URL and CLICKHOUSE_URL name the distributed set-up to migrate into');
    const sample = parseCount(values.sample, 'sample', 50);
    const maxEvents = values['max-events'] === undefined ? Number.POSITIVE_INFINITY : parseCount(values['max-events'], 'max-events', 0);
    const target: MigrationTarget = {
      brokers: settings.kafka.brokers.join(','),
      topic: settings.kafka.topic,
      redisUrl: env.REDIS_URL,
      redisPrefix: env.REDIS_KEY_PREFIX,
      clickhouseUrl: env.CLICKHOUSE_URL,
    };

    // The embedded service must be stopped: it would append to the log being moved.
    let lock;
    try {
      lock = lockDataDir(dataDir);
    } catch (error) {
      if (error instanceof DataDirLockedError) throw new UsageError(`${error.message}; stop the embedded service first`);
      throw error;
    }
    const db = openEmbeddedDatabase(paths.database);
    const writer = new GroupCommitWriter(db);
    const eventLog = new SqliteEventLog(db, writer);
    // No codec: the events are moved in their stored form, already under their subjects.
    const kafka = new KafkaEventLog({ ...settings.kafka, clientId: `${settings.kafka.clientId}-migrate` }, quietLogger(io));
    const redis = new Redis(env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 });
    redis.on('error', () => undefined);
    const clickhouse = createReadModelClient({ kind: 'server', url: env.CLICKHOUSE_URL });
    // The apps' key settings, defaulting to the files in the data directory (the embedded service's keys).
    const keyIo: CliIo = { ...io, env: { ...io.env, DATA_DIR: dataDir } };
    const line = new ProgressLine(io.progress ?? io.err, io.isTty ?? false);
    try {
      await redis.connect().catch((error: Error) => {
        throw new Error(`cannot reach Redis at ${env.REDIS_URL}: ${error.message}`);
      });
      await kafka.connect();
      const state = await openState(dataDir, target, values.yes === true, redis, kafka);
      const save = () => saveMigrationState(dataDir, state);
      save();

      if (!state.keys) {
        const keyStore = new RedisUserKeyStore(redis, env.REDIS_KEY_PREFIX);
        state.keys = existsSync(paths.userKeys)
          ? await copyUserKeys(paths.userKeys, keyStore, (copied) => line.update(`user keys: ${copied.toLocaleString('en-US')} copied`))
          : { records: 0, erasures: 0 };
        save();
        line.finish(`user keys: ${state.keys.records.toLocaleString('en-US')} records, ${state.keys.erasures} erasures copied`);
      }
      if (!state.stores) {
        state.stores = await copySessionStores(db, writer, eventLog, redis, env.REDIS_KEY_PREFIX, Date.now(), (copied) =>
          line.update(`sessions: ${copied.toLocaleString('en-US')} read`),
        );
        save();
        line.finish(`sessions and specs: ${state.stores.sessions.toLocaleString('en-US')} live sessions, ${state.stores.specs} specs copied`);
      }
      if (!state.events.done) {
        const total = db.prepare('SELECT count(*) FROM events').pluck().get() as number;
        const copied = await copyEvents(
          eventLog.openReader(),
          kafka,
          state,
          save,
          (appended) => line.update(`events: ${progressOf(appended, total)}`),
          maxEvents,
        );
        line.finish(`events: ${progressOf(state.events.appended, total)} appended to "${target.topic}"`);
        if (!copied.done) {
          io.err(`stopped after ${copied.appended} events (--max-events); run the same command again to continue`);
          return EXIT.ok;
        }
      }
      const replay = await replayIntoClickHouse(kafka, keyIo, state, save, line);
      const opened = await openKafkaCodec(keyIo, dataDir);
      let check: MigrationCheck;
      try {
        check = await checkMigration(db, kafka, clickhouse, opened.codec, replay.skipped, sample);
      } finally {
        await opened.close();
      }
      if (check.ok) {
        state.finishedAt ??= new Date().toISOString();
        save();
      }
      printReport({ state, check }, values.json === true, io);
      return check.ok ? EXIT.ok : EXIT.failed;
    } finally {
      redis.disconnect();
      await kafka.close().catch(() => undefined);
      await clickhouse.close();
      writer.close();
      db.close();
      lock.release();
    }
  },
};

function parseCount(value: string | boolean | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0) throw new UsageError(`--${name} must be a whole number ≥ 0, got ${String(value)}`);
  return count;
}

/**
 * The state of the migration of this data directory: resumed when there is one for the
 * same target; otherwise a new one, only into an empty target and with --yes.
 */
async function openState(dataDir: string, target: MigrationTarget, confirmed: boolean, redis: Redis, kafka: KafkaEventLog): Promise<MigrationState> {
  const existing = loadMigrationState(dataDir);
  if (existing) {
    const mismatch = targetMismatch(existing, target);
    if (mismatch) throw new UsageError(`${migrationStatePath(dataDir)} is a migration to another target (${mismatch}); move it away to start over`);
    return existing;
  }
  const redisHasKeys = await anyKeyUnder(redis, target.redisPrefix);
  const records = (await kafka.describeLag('waymark-migrate-empty-check')).total;
  if (redisHasKeys || records > 0) {
    throw new UsageError(
      `the target is not empty (${records} records in "${target.topic}", ${redisHasKeys ? 'keys' : 'no keys'} under "${target.redisPrefix}" in Redis): ` +
        'migrate into a fresh deployment',
    );
  }
  if (!confirmed)
    throw new UsageError(`this fills ${target.topic} on ${target.brokers}, ${target.redisUrl} and ${target.clickhouseUrl}; add --yes to go ahead`);
  return newMigrationState(target, new Date());
}

/** Whether Redis holds any key under the prefix (the stores' keys and the user keys' "<prefix>.ukeys:"). */
async function anyKeyUnder(redis: Redis, prefix: string): Promise<boolean> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (found.length > 0) return true;
    cursor = next;
  } while (cursor !== '0');
  return false;
}

/** A full replay from the topic, as `waymark replay` runs it; resumed when an earlier run of this migration was interrupted. */
async function replayIntoClickHouse(kafka: KafkaEventLog, io: CliIo, state: MigrationState, save: () => void, line: ProgressLine): Promise<ReplayRun> {
  const local = openKafkaReplayEngine(kafka, io);
  try {
    const { engine } = local;
    const known = state.replay ? await engine.status(state.replay.runId) : undefined;
    if (known && state.replay?.done) return known;
    await local.beforeStart();
    const stopDrawing = engine.onProgress((run) => line.update(`replay: ${progressOf(run.processed, run.total)}`));
    try {
      const id = known && known.status !== 'completed' ? (await engine.resume(known.id)).id : (await engine.start({ start: { kind: 'beginning' } })).run.id;
      state.replay = { runId: id, done: false };
      save();
      const run = await engine.wait(id);
      if (!run || run.status !== 'completed')
        throw new Error(`the replay did not complete (${run?.status ?? 'unknown'}${run?.error ? `: ${run.error}` : ''}); run the command again to resume it`);
      state.replay.done = true;
      save();
      line.finish(`replay: ${run.replayed.toLocaleString('en-US')} events into ClickHouse, ${run.skipped} left out`);
      return run;
    } finally {
      stopDrawing();
    }
  } finally {
    await local.engine.shutdown();
    await local.close();
  }
}

function progressOf(done: number, total: number): string {
  const share = total > 0 ? ` (${((100 * done) / total).toFixed(1)}%)` : '';
  return `${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}${share}`;
}

function printReport(report: Report, json: boolean, io: CliIo): void {
  if (json) {
    io.out(JSON.stringify(report));
    return;
  }
  const { check } = report;
  io.out(
    `${check.ok ? 'migrated' : 'MIGRATION CHECK FAILED'}: ${check.logEvents} events in the log, ${check.kafkaRecords} records in the topic, ` +
      `${check.readModelEvents} events in the read model (${check.replaySkipped} left out by the replay); ` +
      `${check.sampledSessions - check.differingSessions.length} of ${check.sampledSessions} sampled sessions match the log`,
  );
  for (const problem of check.problems) io.out(`  ${problem}`);
}

function quietLogger(io: CliIo) {
  return {
    log: () => undefined,
    warn: () => undefined,
    error: (message: unknown) => io.err(`error: ${typeof message === 'string' ? message : JSON.stringify(message)}`),
  };
}
