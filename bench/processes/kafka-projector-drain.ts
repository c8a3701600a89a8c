import { KafkaEventLog } from '@waymark/event-log';
import { PinoLoggerService, createPinoLogger } from '@waymark/logging';
import { EventsProjection, Projector } from '@waymark/projection';
import { createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { join } from 'node:path';
import { loadProjectorConfig } from '../../apps/projector/src/config/projector.config';
import { runAsChild, sendAndFlush } from '../support/child-process';

/**
 * The kafka-projector benchmark's own process: a Projector, with the projector app's
 * batch size and options, on a KafkaEventLog consumer (the real bridge over kafkajs's
 * group consumer), draining BENCH_EVENTS events that the runner produced into the topic
 * beforehand, into chDB in this process. The clock starts once the group assigned the
 * partitions (librdkafka's mock holds a new group's first join about 3 s), and stops
 * when every event was projected and committed.
 */
const STALL_MS = 60_000;

async function main(): Promise<void> {
  const total = Number(process.env.BENCH_EVENTS);
  const dataDir = String(process.env.BENCH_DATA_DIR);
  const send = (message: Record<string, unknown>) => process.send?.(message);
  const logger = new PinoLoggerService(createPinoLogger('warn'));

  const log = new KafkaEventLog(
    {
      brokers: String(process.env.BENCH_BROKERS).split(','),
      topic: String(process.env.BENCH_TOPIC),
      partitions: Number(process.env.BENCH_PARTITIONS),
      // The mock broker has no controller to hand out producer ids; consumer settings are the app's defaults.
      idempotent: false,
    },
    logger,
  );
  const client = createReadModelClient({ kind: 'chdb', path: join(dataDir, 'clickhouse') });
  await migrateReadModel(client);
  const { batchSize } = loadProjectorConfig({ PROJECTOR_BATCH_SIZE: process.env.PROJECTOR_BATCH_SIZE });
  const consumer = log.openConsumer('read-model');
  // The projector app's options (apps/projector/src/projector-app.module.ts).
  const projector = new Projector(consumer, new EventsProjection(client), logger, {
    group: 'read-model',
    maxBatch: batchSize,
    maxWaitMs: 500,
    retryBaseMs: 200,
    retryMaxMs: 10_000,
  });

  const joinStarted = performance.now();
  projector.start();
  await poll(5, () => consumer.assignment().length > 0);
  const joinMs = performance.now() - joinStarted;

  const fromUs = Number(process.hrtime.bigint() / 1000n);
  const cpuBefore = process.cpuUsage();
  const projectStarted = performance.now();
  let lastDone = -1;
  let lastChange = performance.now();
  await poll(20, () => {
    const done = projector.stats.projected + projector.stats.deadLettered;
    send({ type: 'progress', phase: 'project', done, total });
    if (done !== lastDone) [lastDone, lastChange] = [done, performance.now()];
    // A drain that stops moving is a failed run, not a wait for the runner's 30-minute limit.
    if (performance.now() - lastChange > STALL_MS) throw new Error(`no event projected for ${STALL_MS / 1000} s at ${done} of ${total}`);
    return done >= total;
  });
  const projectMs = performance.now() - projectStarted;
  const toUs = Number(process.hrtime.bigint() / 1000n);
  const cpu = process.cpuUsage(cpuBefore);
  await projector.stop();

  const lag = await log.describeLag('read-model');
  const count = await client.query({ query: 'SELECT count() AS rows, uniqExact(event_id) AS unique FROM events', format: 'JSONEachRow' });
  const [rows] = await count.json<{ rows: string; unique: string }>();
  await log.close();
  await client.close();
  await sendAndFlush({
    type: 'result',
    total,
    batchSize,
    joinMs,
    projectMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    stats: projector.stats,
    lagAfter: lag.total,
    rows: Number(rows.rows),
    unique: Number(rows.unique),
    window: { fromUs, toUs },
  });
}

async function poll(intervalMs: number, done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, intervalMs));
}

runAsChild(main);
