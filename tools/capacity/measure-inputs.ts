import { createClient } from '@clickhouse/client';
import { Kafka, logLevel } from 'kafkajs';
import Redis from 'ioredis';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createFastifyAdapter } from '@waymark/http';
import { startApiProcess } from '../../bench/support/api-process';
import { readCpuSeconds } from '../../bench/support/proc-status';
import { loadProjectorConfig } from '../../apps/projector/src/config/projector.config';
import { ProjectorAppModule } from '../../apps/projector/src/projector-app.module';
import { startDistributedStack } from '../../test/support/distributed-stack';
import { makeTempDir } from '../../test/support/temp-dir';
import { ApiCosts, MeasuredInputs, StoreCosts } from './capacity-model';

/**
 * Measures what the capacity model needs and no benchmark reports: per command, the
 * Redis server's CPU and memory, the bytes a Kafka record takes, and ClickHouse's bytes
 * per event on disk. Runs the shipped API and projector in distributed mode against the
 * test stack (librdkafka's mock broker, a private redis-server, the ClickHouse test
 * front on chDB) and writes tools/capacity/measured-inputs.json.
 *
 *   npm run capacity:measure
 */
const SCOPE = { product: 'my-product-tag', env: 'snd', tag: 'session-tag' };
const SESSIONS = Number(process.env.CAPACITY_SESSIONS ?? 2_000);
const ACTIVITY_PER_SESSION = 10;

interface Tokens {
  sessionId: string;
  token: string;
  refreshToken: string;
}

function progress(message: string): void {
  process.stderr.write(`\r\u001b[2K${message}`);
}

async function post(url: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  return response.json();
}

/** Runs `count` calls `concurrency` at a time, showing progress. */
async function inParallel(label: string, count: number, call: (index: number) => Promise<void>, concurrency = 20): Promise<void> {
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        await call(index);
        done += 1;
        if (done % 100 === 0 || done === count) progress(`${label}: ${done} / ${count}`);
      }
    }),
  );
  process.stderr.write('\n');
}

/** The Redis server's CPU (user + sys, seconds), its memory, and its command count: INFO's figures. */
async function redisCounters(redis: Redis): Promise<{ cpuS: number; usedMemory: number; calls: number }> {
  const info = await redis.info();
  const field = (name: string) => Number(/^(\w+):(.*)$/m.exec(info.split('\n').find((line) => line.startsWith(`${name}:`)) ?? '')?.[2] ?? Number.NaN);
  const stats = await redis.info('commandstats');
  const calls = [...stats.matchAll(/calls=(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
  return { cpuS: field('used_cpu_user') + field('used_cpu_sys'), usedMemory: field('used_memory'), calls };
}

/** What one kind of command costs the Redis server and the API process, per call, measured over `count` calls. */
async function costOf(
  redis: Redis,
  apiPid: number,
  label: string,
  count: number,
  call: (index: number) => Promise<void>,
): Promise<StoreCosts & { apiCpuUs: number }> {
  const before = await redisCounters(redis);
  const apiBefore = readCpuSeconds(apiPid);
  await inParallel(label, count, call);
  const apiCpuUs = ((readCpuSeconds(apiPid) - apiBefore) * 1e6) / count;
  const after = await redisCounters(redis);
  // INFO's own calls are a handful; over thousands of calls they vanish.
  return {
    apiCpuUs,
    redisCpuUs: ((after.cpuS - before.cpuS) * 1e6) / count,
    redisCommands: (after.calls - before.calls - 2) / count,
    redisBytes: (after.usedMemory - before.usedMemory) / count,
  };
}

function storeCosts({ redisCpuUs, redisCommands, redisBytes }: StoreCosts, per = 1): StoreCosts {
  return { redisCpuUs: redisCpuUs / per, redisCommands: redisCommands / per, redisBytes: redisBytes / per };
}

const WARM_UP_SESSIONS = 500;

/** Every measured call once per warm-up session, in the same order: start, verify, activity, refresh, revoke. */
async function warmUp(url: string): Promise<void> {
  await inParallel('warm-up', WARM_UP_SESSIONS, async (index) => {
    const session = (await post(`${url}/v1/sessions`, { ...SCOPE, data: { userId: `capacity-warm-up-${index}` } })) as Tokens;
    await post(`${url}/v1/sessions/verify`, { ...SCOPE, token: session.token });
    await post(`${url}/v1/sessions/activity`, { ...SCOPE, token: session.token, records: [{ name: 'GET /warm-up' }] });
    await post(`${url}/v1/sessions/refresh`, { ...SCOPE, refreshToken: session.refreshToken });
    await post(`${url}/v1/sessions/revoke`, { ...SCOPE, sessionId: session.sessionId });
  });
}

async function kafkaBytesPerEvent(brokers: string[], topic: string): Promise<{ events: number; bytesPerEvent: Record<string, number> }> {
  const kafka = new Kafka({ clientId: 'capacity-measure', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const total = offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
  const consumer = kafka.consumer({ groupId: `capacity-measure-${Date.now()}` });
  const sizes = new Map<string, { bytes: number; count: number }>();
  let seen = 0;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          const value = message.value ?? Buffer.alloc(0);
          const type = (JSON.parse(value.toString()) as { type?: string }).type ?? 'unknown';
          const headerBytes = Object.entries(message.headers ?? {}).reduce((sum, [name, header]) => sum + name.length + String(header ?? '').length, 0);
          const entry = sizes.get(type) ?? { bytes: 0, count: 0 };
          entry.bytes += value.length + (message.key?.length ?? 0) + headerBytes;
          entry.count += 1;
          sizes.set(type, entry);
          seen += 1;
          if (seen === total) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return { events: seen, bytesPerEvent: Object.fromEntries([...sizes].map(([type, { bytes, count }]) => [type, Math.round(bytes / count)])) };
}

async function main(): Promise<void> {
  progress('starting Kafka (mock), Redis and the ClickHouse front');
  const stack = await startDistributedStack();
  const dir = makeTempDir('capacity');
  // The API in a process of its own, as deployed and as the benchmarks run it, so its CPU is its own.
  const api = await startApiProcess(join(dir.path, 'api'), undefined, stack.env);
  const url = api.url;
  const redis = new Redis(stack.redis.url);
  const projector = await NestFactory.create<NestFastifyApplication>(
    ProjectorAppModule.forRoot(loadProjectorConfig({ ...stack.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' })),
    createFastifyAdapter({ bodyLimitBytes: 1024 }),
    { logger: false, abortOnError: false },
  );
  const clickhouse = createClient({ url: stack.clickhouse.url });
  try {
    process.stderr.write('\n');
    // A first round, not counted: the JIT, the caches and Redis's script cache warm up on it.
    await warmUp(url);
    const sessions = new Array<Tokens>(SESSIONS);
    const start = await costOf(redis, api.pid, 'start-session', SESSIONS, async (index) => {
      sessions[index] = (await post(`${url}/v1/sessions`, { ...SCOPE, data: { userId: `capacity-user-${index}`, plan: 'pro' } })) as Tokens;
    });
    const verify = await costOf(redis, api.pid, 'verify', SESSIONS, async (index) => {
      await post(`${url}/v1/sessions/verify`, { ...SCOPE, token: sessions[index].token });
    });
    const activity = await costOf(redis, api.pid, `activity (${ACTIVITY_PER_SESSION} records per call)`, SESSIONS, async (index) => {
      const records = Array.from({ length: ACTIVITY_PER_SESSION }, (_, n) => ({ name: `GET /page/${n}`, parent: 'home', latencyMs: 12, properties: { n } }));
      await post(`${url}/v1/sessions/activity`, { ...SCOPE, token: sessions[index].token, records });
    });
    const refresh = await costOf(redis, api.pid, 'refresh', SESSIONS, async (index) => {
      sessions[index] = {
        ...sessions[index],
        ...((await post(`${url}/v1/sessions/refresh`, { ...SCOPE, refreshToken: sessions[index].refreshToken })) as Tokens),
      };
    });
    const revoke = await costOf(redis, api.pid, 'revoke', SESSIONS, async (index) => {
      await post(`${url}/v1/sessions/revoke`, { ...SCOPE, sessionId: sessions[index].sessionId });
    });
    const apiCosts: ApiCosts = {
      startSessionUs: start.apiCpuUs,
      verifyUs: verify.apiCpuUs,
      refreshUs: refresh.apiCpuUs,
      revokeUs: revoke.apiCpuUs,
      activityEventUs: activity.apiCpuUs / ACTIVITY_PER_SESSION,
    };

    progress('reading every record back from the topic');
    const kafka = await kafkaBytesPerEvent(stack.broker.brokers, stack.env.KAFKA_TOPIC);
    process.stderr.write('\n');

    // The projector starts only now, in this process, which does nothing else meanwhile
    // but poll the count: the process's CPU over the drain is the projector's.
    const projectorCpuFrom = process.cpuUsage();
    await projector.listen({ port: 0, host: '127.0.0.1' });
    const expected = kafka.events;
    for (;;) {
      const result = await clickhouse.query({ query: 'SELECT count() AS n FROM events', format: 'JSONEachRow' });
      const [{ n }] = await result.json<{ n: string }>();
      progress(`projector: ${n} / ${expected} events in ClickHouse`);
      if (Number(n) >= expected) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const projectorCpu = process.cpuUsage(projectorCpuFrom);
    process.stderr.write('\n');
    await clickhouse.command({ query: 'OPTIMIZE TABLE events FINAL' });
    const parts = await clickhouse.query({
      query: `SELECT table, sum(bytes_on_disk) AS bytes FROM system.parts WHERE active AND database = currentDatabase() GROUP BY table ORDER BY table`,
      format: 'JSONEachRow',
    });
    const tables = Object.fromEntries((await parts.json<{ table: string; bytes: string }>()).map(({ table, bytes }) => [table, Number(bytes)]));
    const totalBytes = Object.values(tables).reduce((sum, bytes) => sum + bytes, 0);

    const inputs: MeasuredInputs = {
      measuredAt: new Date().toISOString(),
      machine: `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`,
      command: 'npm run capacity:measure',
      sessions: SESSIONS,
      api: apiCosts,
      redis: {
        startSession: storeCosts(start),
        verify: storeCosts(verify),
        refresh: storeCosts(refresh),
        revoke: storeCosts(revoke),
        activityEvent: storeCosts(activity, ACTIVITY_PER_SESSION),
      },
      kafkaBytesPerEvent: kafka.bytesPerEvent,
      projectorCpuUsPerEvent: (projectorCpu.user + projectorCpu.system) / expected,
      clickhouse: {
        events: expected,
        bytesPerEventAllTables: totalBytes / expected,
        bytesByTable: Object.fromEntries(Object.entries(tables).map(([table, bytes]) => [table, Math.round(bytes / expected)])),
        note: 'small parts (one run of a few thousand sessions): compression improves with larger parts; see docs/capacity.md',
      },
    };
    const file = join(__dirname, 'measured-inputs.json');
    writeFileSync(file, `${JSON.stringify(inputs, null, 2)}\n`);
    console.log(JSON.stringify(inputs, null, 2));
    console.error(`written to ${file}`);
  } finally {
    redis.disconnect();
    await clickhouse.close();
    await api.stop();
    await projector.close();
    await stack.stop();
    dir.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
