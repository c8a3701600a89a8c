/**
 * Latency of the analytics queries on a seeded data directory (`npm run seed:demo`),
 * in process on chDB, as the API's handlers run them (without HTTP), plus the read
 * model's size on disk.
 *
 *   npm run seed:demo -- --users 100000 --days 30 --activities-per-session 13 --data-dir /tmp/bench
 *   npm run bench:analytics -- --data-dir /tmp/bench [--users 500] [--runs 15]
 *
 * Then, unless `--no-http`, the journey once more over HTTP: the API app (embedded mode,
 * as `npm start` builds it) opened on the same data directory, a read key, the first
 * page of 100 for users not sampled before, so the figure includes Fastify, Nest, the
 * key check, validation and JSON beside the SQL. Like `npm start` on that directory, the
 * app opens (or creates) its `waymark.db` and records the bench's product spec in it
 * (one spec event, projected into `events` with an empty identifier, which no
 * analytics query reads).
 */
import {
  DEFAULT_QUERY_LIMITS,
  FunnelRepository,
  PathsRepository,
  RetentionRepository,
  TagDashboardRepository,
  UserDashboardRepository,
  UserJourneyRepository,
  UserProfileRepository,
  UsersRepository,
  createReadModelClient,
  migrateReadModel,
} from '@waymark/read-model';
import { ClickHouseClient } from '@clickhouse/client';
import { mintApiKey } from '@waymark/tokens';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createApiApp } from '../apps/api/src/bootstrap';
import { loadApiConfig } from '../apps/api/src/config/api.config';
import { parseArgs } from 'node:util';

const USAGE = `usage: npm run bench:analytics -- --data-dir DIR [--users N] [--runs N] [--product P] [--tag T]

  --data-dir DIR  a data directory filled by npm run seed:demo (its clickhouse/ is read)
  --users N       distinct users sampled for the per-user queries (default 500)
  --runs N        runs of each tag-wide query (default 15)
  --only TEXT     only the queries whose name contains TEXT
  --no-http       skip the journey over HTTP (it opens the API app on the data directory)`;

const limits = { ...DEFAULT_QUERY_LIMITS, maxExecutionSeconds: 120 };

interface Measured {
  name: string;
  samples: number[];
  target?: string;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function time<T>(run: () => Promise<T>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

let only: string | undefined;

async function measure(name: string, runs: number, run: (index: number) => Promise<unknown>, target?: string): Promise<Measured | undefined> {
  if (only !== undefined && !name.includes(only)) return undefined;
  await run(0); // warm-up: first use of a column, parts' marks
  const samples: number[] = [];
  let shown = 0;
  for (let index = 0; index < runs; index += 1) {
    samples.push(await time(() => run(index)));
    if (Date.now() - shown > 500 || index === runs - 1) {
      shown = Date.now();
      process.stdout.write(`\r  ${name}: ${index + 1}/${runs}`.padEnd(100));
    }
  }
  process.stdout.write('\r' + ' '.repeat(100) + '\r');
  return { name, samples, target };
}

async function scalar<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  const result = await client.query({ query, format: 'JSONEachRow', clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } });
  return result.json<T>();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      users: { type: 'string' },
      runs: { type: 'string' },
      only: { type: 'string' },
      product: { type: 'string' },
      tag: { type: 'string' },
      help: { type: 'boolean' },
      'no-http': { type: 'boolean' },
    },
  });
  if (values.help || !values['data-dir']) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(values.help ? 0 : 2);
  }
  const dataDir = resolve(values['data-dir']);
  if (!existsSync(join(dataDir, 'clickhouse'))) {
    process.stderr.write(`${dataDir}/clickhouse does not exist: seed it first with npm run seed:demo\n`);
    process.exit(2);
  }
  only = values.only;
  const userCount = Number(values.users ?? 500);
  const runs = Number(values.runs ?? 15);
  const product = values.product ?? 'my-product-tag';
  const tag = values.tag ?? 'session-tag';
  const client = createReadModelClient({ kind: 'chdb', path: join(dataDir, 'clickhouse') });
  // A data directory seeded before the latest migrations gets them (and their back-fills) first.
  await migrateReadModel(client);

  // Measure the steady state of a running service, where background merges keep the
  // part count low, not the burst of small parts the seeding left behind.
  const settleStart = Date.now();
  for (let quiet = 0; quiet < 3 && Date.now() - settleStart < 15 * 60_000;) {
    const [{ merges, parts }] = await scalar<{ merges: number; parts: number }>(
      client,
      `SELECT (SELECT count() FROM system.merges) AS merges, (SELECT count() FROM system.parts WHERE active AND database = currentDatabase()) AS parts`,
    );
    quiet = Number(merges) === 0 ? quiet + 1 : 0;
    process.stdout.write(
      `\rwaiting for background merges to settle: ${merges} running, ${parts} active parts, ${((Date.now() - settleStart) / 1000).toFixed(0)} s`.padEnd(100),
    );
    await new Promise((done) => setTimeout(done, 2000));
  }
  process.stdout.write('\n');
  const [{ events, users, first, last }] = await scalar<{ events: number; users: number; first: string; last: string }>(
    client,
    `SELECT uniqExact(event_id) AS events, uniqExact(env, identifier) AS users, toString(min(occurred_at)) AS first, toString(max(occurred_at)) AS last FROM events WHERE identifier != ''`,
  );
  const end = Date.parse(last.replace(' ', 'T') + 'Z');
  const envs = (await scalar<{ env: string }>(client, `SELECT DISTINCT env FROM sessions ORDER BY env`)).map((row) => row.env);
  const scope = { product, envs, tag };
  process.stdout.write(`dataset: ${events.toLocaleString('en')} events, ${users.toLocaleString('en')} users, ${first} – ${last} UTC, envs ${envs.join(',')}\n`);
  const sampled = await scalar<{ env: string; identifier: string }>(
    client,
    `SELECT env, identifier FROM sessions GROUP BY env, identifier ORDER BY cityHash64(identifier) LIMIT ${2 * Math.max(1, Math.floor(userCount))}`,
  );
  // The first half for the in-process queries, the second for HTTP: no user is read twice.
  const sample = sampled.slice(0, Math.max(1, Math.floor(userCount)));
  const httpSample = sampled.slice(sample.length);
  const key = (index: number) => ({ product, tag, env: sample[index % sample.length].env, identifier: sample[index % sample.length].identifier });

  const last7 = { from: end - 7 * 86_400_000, to: end };
  const last30 = { from: end - 30 * 86_400_000, to: end };
  const journeys = new UserJourneyRepository(client, limits);
  const profiles = new UserProfileRepository(client, limits);
  const userDashboards = new UserDashboardRepository(client, limits);
  const usersList = new UsersRepository(client, limits);
  const dashboards = new TagDashboardRepository(client, limits);
  const paths = new PathsRepository(client, limits);
  const funnels = new FunnelRepository(client, limits);
  const retention = new RetentionRepository(client, limits);

  process.stdout.write('measuring (warm: one untimed run first)\n');
  const measured: Array<Measured | undefined> = [];
  const results = { push: (result: Measured | undefined) => measured.push(result) };
  results.push(
    await measure("one user's journey, first page of 100", sample.length, (i) => journeys.page({ key: key(i), limit: 100 }), 'p50 ≤ 10 ms, p99 ≤ 50 ms'),
  );
  results.push(await measure("one user's whole journey (≤ 1000 events)", sample.length, (i) => journeys.page({ key: key(i), limit: 1000 })));
  results.push(await measure("one user's profile", sample.length, (i) => profiles.find(key(i), end, 50)));
  results.push(
    await measure("one user's dashboard, 30 days by day", Math.min(sample.length, 200), (i) =>
      userDashboards.build({ key: key(i), range: last30, interval: 'day', tz: 'Europe/Berlin' }),
    ),
  );
  results.push(
    await measure('users of the tag, page 1 by last seen', runs, () =>
      usersList.list({ scope, now: end, sort: 'lastSeen', order: 'desc', page: 1, pageSize: 20 }),
    ),
  );
  results.push(
    await measure('users of the tag, status=expired, search "00"', runs, () =>
      usersList.list({ scope, now: end, status: 'expired', search: '00', sort: 'lastSeen', order: 'desc', page: 1, pageSize: 20 }),
    ),
  );
  results.push(
    await measure(
      'tag dashboard, 7 days by hour',
      runs,
      () => dashboards.build({ scope, range: last7, interval: 'hour', tz: 'Europe/Berlin', now: end }),
      '≤ 500 ms',
    ),
  );
  results.push(
    await measure(
      'tag dashboard, 30 days by day',
      runs,
      () => dashboards.build({ scope, range: last30, interval: 'day', tz: 'Europe/Berlin', now: end }),
      '≤ 500 ms',
    ),
  );
  results.push(
    await measure(
      'paths, 7 days, from visit start, 5 steps',
      runs,
      () => paths.build({ scope, range: last7, steps: 5, edges: 50, visitGapMinutes: 30 }),
      '≤ 1 s',
    ),
  );
  results.push(
    await measure(
      'paths, 30 days, from visit start, 5 steps',
      runs,
      () => paths.build({ scope, range: last30, steps: 5, edges: 50, visitGapMinutes: 30 }),
      '≤ 1 s',
    ),
  );
  results.push(
    await measure(
      "paths, 30 days, after 'cart'",
      runs,
      () => paths.build({ scope, range: last30, anchor: { step: 'cart', direction: 'after' }, steps: 5, edges: 50, visitGapMinutes: 30 }),
      '≤ 1 s',
    ),
  );
  results.push(
    await measure(
      'funnel home→product→cart→checkout→pay, 7 days, 1 h window',
      runs,
      () => funnels.build({ scope, range: last7, steps: ['home', 'product', 'cart', 'checkout', 'pay'], windowSeconds: 3600 }),
      '≤ 1 s',
    ),
  );
  results.push(
    await measure(
      'funnel home→product→cart→checkout→pay, 30 days, 1 h window',
      runs,
      () => funnels.build({ scope, range: last30, steps: ['home', 'product', 'cart', 'checkout', 'pay'], windowSeconds: 3600 }),
      '≤ 1 s',
    ),
  );
  results.push(
    await measure(
      'retention, 14 daily cohorts × 7 days',
      runs,
      () => retention.build({ scope, range: { from: end - 14 * 86_400_000, to: end }, days: 7, tz: 'UTC', now: end }),
      '≤ 1 s',
    ),
  );

  const storage = await scalar<{ table: string; rows: number; parts: number; disk: number; uncompressed: number }>(
    client,
    `SELECT table, sum(rows) AS rows, count() AS parts, sum(bytes_on_disk) AS disk, sum(data_uncompressed_bytes) AS uncompressed
     FROM system.parts WHERE active AND database = currentDatabase() AND table IN ('events', 'sessions', 'events_by_quarter', 'journey_events', 'user_days', 'activity_by_user')
     GROUP BY table ORDER BY table`,
  );
  await client.close();

  if (!values['no-http'] && httpSample.length > 0 && (only === undefined || "one user's journey over HTTP".includes(only))) {
    measured.push(await measureJourneyOverHttp(dataDir, product, tag, envs, httpSample));
  }

  process.stdout.write(`\n| query | runs | p50 ms | p99 ms | max ms | target |\n|---|---|---|---|---|---|\n`);
  for (const result of measured.filter((entry): entry is Measured => entry !== undefined)) {
    const sorted = [...result.samples].sort((a, b) => a - b);
    process.stdout.write(
      `| ${result.name} | ${sorted.length} | ${percentile(sorted, 50).toFixed(1)} | ${percentile(sorted, 99).toFixed(1)} | ${sorted[sorted.length - 1].toFixed(1)} | ${result.target ?? ''} |\n`,
    );
  }

  const millions = events / 1e6;
  process.stdout.write(`\n| table | rows | parts | on disk | per million events | uncompressed |\n|---|---|---|---|---|---|\n`);
  for (const row of storage) {
    process.stdout.write(
      `| ${row.table} | ${Number(row.rows).toLocaleString('en')} | ${row.parts} | ${(row.disk / 2 ** 20).toFixed(1)} MiB | ${(row.disk / 2 ** 20 / millions).toFixed(1)} MiB | ${(row.uncompressed / 2 ** 20).toFixed(1)} MiB |\n`,
    );
  }
  const total = storage.reduce((sum, row) => sum + Number(row.disk), 0);
  process.stdout.write(`| read model | | | ${(total / 2 ** 20).toFixed(1)} MiB | ${(total / 2 ** 20 / millions).toFixed(1)} MiB | |\n`);
}

/**
 * The first page of a journey through the shipped API app (embedded mode) on this data
 * directory, with a read key: the in-process figure plus routing, the key check,
 * validation and JSON both ways. The directory is the bench's (chDB locks it), so the
 * bench's own client is closed first.
 */
async function measureJourneyOverHttp(
  dataDir: string,
  product: string,
  tag: string,
  envs: string[],
  users: Array<{ env: string; identifier: string }>,
): Promise<Measured> {
  const configDir = mkdtempSync(join(tmpdir(), 'analytics-bench-'));
  const key = mintApiKey();
  const configFile = join(configDir, 'waymark.config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      products: [{ tag: product, name: product, envs, sessions: [{ tag, name: tag, selector: 'userId' }] }],
      apiKeys: [
        { id: key.id, name: 'bench', product, envs: ['*'], roles: ['read'], secretHash: key.secretHash, rateLimit: { perSecond: 100_000, burst: 100_000 } },
      ],
    }),
  );
  const app = await createApiApp(
    loadApiConfig({ DATA_DIR: dataDir, WAYMARK_CONFIG: configFile, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', NODE_ENV: 'test' }),
  );
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.getHttpServer().address() as AddressInfo;
    const headers = { authorization: `Bearer ${key.key}` };
    const url = (user: { env: string; identifier: string }) =>
      `http://127.0.0.1:${port}/v1/analytics/users/journey?${new URLSearchParams({ product, tag, env: user.env, identifier: user.identifier, limit: '100' })}`;
    const result = await measure(
      "one user's journey over HTTP, first page of 100",
      users.length,
      async (index) => {
        const response = await fetch(url(users[index % users.length]), { headers });
        if (response.status !== 200) throw new Error(`journey over HTTP answered ${response.status}: ${await response.text()}`);
        await response.json();
      },
      'p50 ≤ 10 ms, p99 ≤ 50 ms',
    );
    return result!;
  } finally {
    await app.close();
    rmSync(configDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`\nbench failed: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
