import { ClickHouseClient } from '@clickhouse/client';
import { KafkaEventLog } from '@waymark/event-log';
import { createReadModelClient } from '@waymark/read-model';
import { DistributedStack, TEST_PARTITIONS, TEST_TOPIC, startDistributedStack } from '../support/distributed-stack';
import { sessionStarted } from '../support/events';
import { kafkaTestOptions, recordingLogger } from '../support/kafka-broker';
import { SpawnedProjector, spawnProjector } from '../support/spawned-projector';
import { waitFor } from '../support/wait-for';

/** Faults in distributed mode, on real processes: the built projector, Kafka's mock, the ClickHouse front. */
describe('distributed mode under faults', () => {
  let stack: DistributedStack;
  let log: KafkaEventLog;
  let clickhouse: ClickHouseClient;
  const projectors: SpawnedProjector[] = [];

  beforeAll(async () => {
    stack = await startDistributedStack();
    log = new KafkaEventLog(kafkaTestOptions(stack.broker.brokers, TEST_TOPIC, TEST_PARTITIONS), recordingLogger());
    clickhouse = createReadModelClient({ kind: 'server', url: stack.clickhouse.url });
  });

  afterAll(async () => {
    for (const projector of projectors) await projector.stop();
    await clickhouse?.close();
    await log?.close();
    await stack?.stop();
  });

  const projectorEnv = () => ({ ...stack.env, PROJECTOR_BATCH_SIZE: '50' });

  async function counts(prefix: string): Promise<{ rows: number; unique: number }> {
    const result = await clickhouse.query({
      query: 'SELECT count() AS rows, uniqExact(event_id) AS unique FROM events WHERE startsWith(identifier, {prefix:String})',
      query_params: { prefix },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ rows: string; unique: string }>();
    return { rows: Number(row.rows), unique: Number(row.unique) };
  }

  /** Events a projector process says it wrote (its own metrics endpoint). */
  async function projectedBy(projector: SpawnedProjector): Promise<number> {
    const text = await (await fetch(`${projector.healthUrl}/metrics`)).text();
    const line = text.split('\n').find((entry) => entry.startsWith('waymark_projector_events_total'));
    return Number(line?.split(' ')[1] ?? 0);
  }

  async function append(prefix: string, count: number, start: number): Promise<void> {
    for (let offset = 0; offset < count; offset += 200) {
      const size = Math.min(200, count - offset);
      await log.append(Array.from({ length: size }, (_, i) => sessionStarted(`${prefix}-${(offset + i) % 40}`, start + offset + i)));
    }
  }

  it('two projectors share the partitions; one killed with kill -9 mid-stream loses nothing and counts nothing twice', async () => {
    projectors.push(await spawnProjector(projectorEnv()), await spawnProjector(projectorEnv()));
    await append('kill', 3000, Date.UTC(2026, 10, 1));
    // Kill one while both are busy projecting: both alive, each has written events.
    await waitFor(
      () => counts('kill-'),
      (c) => c.unique >= 300,
      20_000,
      50,
    );
    await waitFor(
      () => Promise.all(projectors.map(projectedBy)),
      (written) => written.every((count) => count > 0),
      20_000,
      50,
    );
    expect(projectors.map((projector) => projector.process.exitCode)).toEqual([null, null]);
    const victim = projectors.shift() as SpawnedProjector;
    victim.process.kill('SIGKILL');
    await append('kill', 1000, Date.UTC(2026, 10, 2));

    const final = await waitFor(
      () => counts('kill-'),
      (c) => c.unique === 4000,
      60_000,
      250,
    );
    expect(final.unique).toBe(4000);
    expect(projectors[0].process.exitCode).toBeNull();
    // Re-delivered batches may have been written twice (the read model collapses them);
    // every answer counts each event once.
    const deduplicated = await clickhouse.query({
      query: "SELECT count() AS n FROM (SELECT event_id FROM events WHERE startsWith(identifier, 'kill-') LIMIT 1 BY event_id)",
      format: 'JSONEachRow',
    });
    expect(Number((await deduplicated.json<{ n: string }>())[0].n)).toBe(4000);
  }, 120_000);

  it('ClickHouse unreachable for 10 seconds: nothing lost, the projector catches up', async () => {
    if (projectors.length === 0) projectors.push(await spawnProjector(projectorEnv()));
    await append('outage', 500, Date.UTC(2026, 10, 3));
    await waitFor(
      () => counts('outage-'),
      (c) => c.unique === 500,
      20_000,
      100,
    );

    await stack.clickhouse.kill();
    await append('outage', 1000, Date.UTC(2026, 10, 4));
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    expect(projectors[0].process.exitCode).toBeNull();
    await stack.clickhouse.restart();

    const final = await waitFor(
      () => counts('outage-'),
      (c) => c.unique === 1500,
      60_000,
      250,
    );
    expect(final.unique).toBe(1500);
    expect(projectors[0].output()).toContain('projection failed; retrying');
  }, 120_000);

  it('the only projector killed with kill -9 mid-stream and started again: batches spanning partitions, every event lands', async () => {
    while (projectors.length > 0) await (projectors.shift() as SpawnedProjector).stop();
    const first = await spawnProjector(projectorEnv());
    projectors.push(first);
    await append('restart', 3000, Date.UTC(2026, 10, 5));
    // Killed while it projects (its batches of 50 span the topic's partitions), so a batch
    // may be inserted and not committed: the next start hands it out again, perhaps
    // grouped differently, and its insert must not be dropped as a retry of another.
    await waitFor(
      () => projectedBy(first),
      (written) => written >= 300,
      20_000,
      20,
    );
    first.process.kill('SIGKILL');
    projectors.shift();
    const midway = await counts('restart-');
    expect(midway.unique).toBeLessThan(3000);
    await append('restart', 1000, Date.UTC(2026, 10, 6));

    projectors.push(await spawnProjector(projectorEnv()));
    const final = await waitFor(
      () => counts('restart-'),
      (c) => c.unique === 4000,
      60_000,
      250,
    );
    expect(final.unique).toBe(4000);
    expect(final.rows).toBeGreaterThanOrEqual(4000);
    expect(projectors[0].process.exitCode).toBeNull();
    const lag = await waitFor(
      () => log.describeLag('read-model'),
      (report) => report.total === 0,
      20_000,
      250,
    );
    expect(lag.total).toBe(0);
  }, 120_000);
});
