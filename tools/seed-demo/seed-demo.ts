/**
 * Writes a deterministic demo dataset into a Waymark data directory through the real
 * event log, then (unless --no-project) projects it into the chDB read model with the
 * real projector, so the API started on that directory serves it at once.
 *
 *   npm run seed:demo -- --users 1000 --days 30 --seed 42 [--data-dir ./data]
 *
 * Same seed and same --end give the same events (ids, times, steps, statuses,
 * latencies); only the ciphertext of the sealed session data differs (JWE uses a
 * random IV).
 */
import { EventEnvelope, SessionSpec } from '@waymark/domain';
import { SqliteEventLog } from '@waymark/event-log';
import { EventsProjection, Projector } from '@waymark/projection';
import { createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { GroupCommitWriter, openEmbeddedDatabase } from '@waymark/sqlite';
import { DataSealer, TokenKeyRing, loadOrCreateKeyFile } from '@waymark/tokens';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DemoShape, DemoUser, demoSessionEvents, demoSessionStarts, demoUser } from './demo-user';
import { SeededRandom } from './seeded-random';

const USAGE = `usage: npm run seed:demo -- --users N --days D [--seed S] [--data-dir DIR] [--end ISO]
       [--product P] [--tag T] [--sessions-per-user M] [--activities-per-session M] [--no-project]

  --users N                   users to generate (default 1000)
  --days D                    days of history ending at --end (default 30)
  --seed S                    PRNG seed (default 42): same seed and --end, same dataset
  --data-dir DIR              Waymark data directory (default ./data); must hold no events yet
  --end ISO                   end of the period (default: now, rounded down to the hour)
  --sessions-per-user M       mean sessions per user (default 7)
  --activities-per-session M  mean activity records per session (default 12)
  --no-project                only write the log; the API's projector projects it on start`;

const APPEND_GROUP = 20_000;
const PROJECT_BATCH = 50_000;

const spec: SessionSpec = {
  tag: 'session-tag',
  name: 'Default session',
  selector: 'userId',
  expiry: { value: 1, unit: 'hours' },
  // A week, so that a month of history has users whose sessions all ran out.
  refreshExpiry: { value: 7, unit: 'days' },
};

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) fail(`--${name}: expected a positive integer, got '${raw}'`);
  return value;
}

function progress(label: string, done: number, total: number, unit: string, startedAt: number): void {
  const seconds = (Date.now() - startedAt) / 1000;
  const rate = done / Math.max(seconds, 0.001);
  const eta = done > 0 ? ((total - done) / rate).toFixed(0) : '?';
  process.stdout.write(
    `\r${label}: ${done.toLocaleString('en')}/${total.toLocaleString('en')} ${unit} (${Math.round(rate).toLocaleString('en')}/s, ETA ${eta} s)   `,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      users: { type: 'string' },
      days: { type: 'string' },
      seed: { type: 'string' },
      'data-dir': { type: 'string' },
      end: { type: 'string' },
      product: { type: 'string' },
      tag: { type: 'string' },
      'sessions-per-user': { type: 'string' },
      'activities-per-session': { type: 'string' },
      'no-project': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const users = positiveInt('users', values.users, 1000);
  const days = positiveInt('days', values.days, 30);
  const seed = Number(values.seed ?? 42);
  if (!Number.isInteger(seed)) fail(`--seed: expected an integer, got '${values.seed}'`);
  const end = values.end ? Date.parse(values.end) : Math.floor(Date.now() / 3_600_000) * 3_600_000;
  if (Number.isNaN(end)) fail(`--end: expected an ISO-8601 time, got '${values.end}'`);
  const dataDir = resolve(values['data-dir'] ?? './data');
  const shape: DemoShape = {
    product: values.product ?? 'my-product-tag',
    tag: values.tag ?? spec.tag,
    spec: { ...spec, tag: values.tag ?? spec.tag },
    end,
    days,
    sessionsPerUser: positiveInt('sessions-per-user', values['sessions-per-user'], 7),
    activitiesPerSession: positiveInt('activities-per-session', values['activities-per-session'], 12),
  };

  const db = openEmbeddedDatabase(join(dataDir, 'waymark.db'));
  const existing = db.prepare('SELECT count(*) FROM events').pluck().get() as number;
  if (existing > 0) fail(`--data-dir: ${dataDir} already holds ${existing} events; seed into a fresh directory`);
  const writer = new GroupCommitWriter(db);
  const log = new SqliteEventLog(db, writer);
  // The API's own key file, so that the API on this directory can open the sealed data.
  const sealer = new DataSealer(TokenKeyRing.fromKeyFile(loadOrCreateKeyFile(join(dataDir, 'token-keys.json'), true).file));

  process.stdout.write(`seeding ${users} users over ${days} days ending ${new Date(end).toISOString()} (seed ${seed}) into ${dataDir}\n`);
  const startedAt = Date.now();
  // Plan every user's sessions first (one generator per user, derived from the seed, so
  // a user's sessions do not depend on how many users come before it)...
  const demoUsers: Array<{ user: DemoUser; sealed: string }> = [];
  const planned: Array<{ at: number; user: number; index: number }> = [];
  for (let index = 0; index < users; index += 1) {
    const random = new SeededRandom(seed * 1_000_003 + index);
    const user = demoUser(index, random);
    demoUsers.push({ user, sealed: await sealer.seal(user.data) });
    demoSessionStarts(shape, random).forEach((at, session) => planned.push({ at, user: index, index: session }));
    if (index % 1000 === 0) progress('plan', index + 1, users, 'users', startedAt);
  }
  planned.sort((a, b) => a.at - b.at || a.user - b.user);
  progress('plan', users, users, `users, ${planned.length.toLocaleString('en')} sessions`, startedAt);
  process.stdout.write('\n');

  // ...then write the sessions' events in time order, as a live system appends them:
  // events of sessions still running wait in `pending` until no earlier event can come.
  const logStart = Date.now();
  let pending: EventEnvelope[] = [];
  // Flush once another group's worth has piled up: the tails of long sessions stay
  // pending, and flushing on size alone would re-sort them for every new session.
  let flushAt = APPEND_GROUP * 2;
  let written = 0;
  let lastReport = 0;
  const flushBefore = async (time: number) => {
    pending.sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0));
    const cut = time === Infinity ? pending.length : pending.findIndex((event) => Date.parse(event.occurredAt) >= time);
    const ready = cut === -1 ? pending : pending.slice(0, cut);
    pending = cut === -1 ? [] : pending.slice(cut);
    for (let offset = 0; offset < ready.length; offset += APPEND_GROUP) await log.append(ready.slice(offset, offset + APPEND_GROUP));
    written += ready.length;
  };
  for (let i = 0; i < planned.length; i += 1) {
    const { at, user, index } = planned[i];
    if (pending.length >= flushAt) {
      await flushBefore(at);
      flushAt = pending.length + APPEND_GROUP * 2;
    }
    const random = new SeededRandom((seed * 1_000_003 + user) * 131 + index);
    for (const event of demoSessionEvents(demoUsers[user].user, demoUsers[user].sealed, shape, at, random)) pending.push(event);
    if (Date.now() - lastReport > 1000) {
      lastReport = Date.now();
      progress('log', i + 1, planned.length, `sessions, ${(written + pending.length).toLocaleString('en')} events`, logStart);
    }
  }
  await flushBefore(Infinity);
  progress('log', planned.length, planned.length, `sessions, ${written.toLocaleString('en')} events`, logStart);
  process.stdout.write(`\nlog: ${written.toLocaleString('en')} events in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);

  if (!values['no-project']) {
    const clickhouse = createReadModelClient({ kind: 'chdb', path: join(dataDir, 'clickhouse') });
    await migrateReadModel(clickhouse);
    const silent = { log: () => undefined, warn: (message: unknown) => process.stderr.write(`\n${JSON.stringify(message)}\n`), error: () => undefined };
    // The API's projector group, so the API does not project the same events again.
    const projector = new Projector(log.openConsumer('read-model'), new EventsProjection(clickhouse), silent, {
      group: 'read-model',
      maxBatch: PROJECT_BATCH,
      maxWaitMs: 100,
      retryBaseMs: 200,
      retryMaxMs: 5_000,
    });
    const projectStart = Date.now();
    projector.start();
    while (projector.stats.projected < written) {
      await new Promise((done) => setTimeout(done, 1000));
      progress('read model', projector.stats.projected, written, 'events', projectStart);
    }
    await projector.stop();
    process.stdout.write(`\nread model: ${written.toLocaleString('en')} events in ${((Date.now() - projectStart) / 1000).toFixed(1)} s\n`);
    await clickhouse.close();
  }
  writer.close();
  db.close();
}

main().catch((error) => {
  process.stderr.write(`\nseed-demo failed: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
