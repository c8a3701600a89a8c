import { z } from 'zod';
import { distributedEnvShape, distributedSettingsFrom } from './distributed-settings';

const schema = z.object(distributedEnvShape);
const services = { KAFKA_BROKERS: 'kafka:9092', CLICKHOUSE_URL: 'http://clickhouse:8123', REDIS_URL: 'redis://redis:6379' };
const needs = ['KAFKA_BROKERS', 'CLICKHOUSE_URL', 'REDIS_URL'] as const;

describe('distributedSettingsFrom: the projector consumer fetch settings', () => {
  it('defaults to fetches sized for one projector batch and a batch that may span every partition', () => {
    const settings = distributedSettingsFrom(schema.parse(services), needs);
    expect(settings?.kafka.consumer).toEqual({
      sessionTimeoutMs: 30_000,
      rebalanceTimeoutMs: 60_000,
      heartbeatIntervalMs: 3000,
      fetchMaxWaitMs: 1000,
      fetchMinBytes: 1,
      fetchMaxBytes: 10 * 1024 * 1024,
      fetchMaxBytesPerPartition: 1024 * 1024,
      maxPartitionsPerBatch: undefined,
    });
  });

  it('maps each KAFKA_FETCH_* variable and the partition cap', () => {
    const env = schema.parse({
      ...services,
      KAFKA_FETCH_MAX_WAIT_MS: '250',
      KAFKA_FETCH_MIN_BYTES: '65536',
      KAFKA_FETCH_MAX_BYTES: '20971520',
      KAFKA_FETCH_MAX_BYTES_PER_PARTITION: '2097152',
      KAFKA_MAX_PARTITIONS_PER_BATCH: '8',
    });
    expect(distributedSettingsFrom(env, needs)?.kafka.consumer).toMatchObject({
      fetchMaxWaitMs: 250,
      fetchMinBytes: 65_536,
      fetchMaxBytes: 20_971_520,
      fetchMaxBytesPerPartition: 2_097_152,
      maxPartitionsPerBatch: 8,
    });
  });

  it('refuses a partition cap below 1', () => {
    expect(schema.safeParse({ ...services, KAFKA_MAX_PARTITIONS_PER_BATCH: '0' }).success).toBe(false);
  });
});
