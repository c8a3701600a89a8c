import { producerRetryWithin } from './kafka-event-log';
import { resolveKafkaEventLogOptions } from './kafka-event-log.options';

describe('resolveKafkaEventLogOptions', () => {
  const minimal = { brokers: ['kafka:9092'], topic: 'waymark.events', partitions: 12 };

  it('defaults to the production-safe settings: idempotent producer, a short linger, <topic>.dlq', () => {
    expect(resolveKafkaEventLogOptions(minimal)).toEqual({
      brokers: ['kafka:9092'],
      clientId: 'waymark',
      topic: 'waymark.events',
      partitions: 12,
      deadLetterTopic: 'waymark.events.dlq',
      idempotent: true,
      lingerMs: 2,
      maxBatchRecords: 1000,
      maxBatchBytes: 900_000,
      appendTimeoutMs: 10_000,
      consumer: {
        sessionTimeoutMs: 30_000,
        rebalanceTimeoutMs: 60_000,
        heartbeatIntervalMs: 3000,
        fetchMaxWaitMs: 1000,
        fetchMinBytes: 1,
        fetchMaxBytes: 10 * 1024 * 1024,
        fetchMaxBytesPerPartition: 1024 * 1024,
        maxPartitionsPerBatch: 12,
      },
    });
  });

  it('lets a batch span every partition of the topic unless capped', () => {
    expect(resolveKafkaEventLogOptions({ ...minimal, partitions: 64 }).consumer.maxPartitionsPerBatch).toBe(64);
    expect(resolveKafkaEventLogOptions({ ...minimal, partitions: 64, consumer: { maxPartitionsPerBatch: 8 } }).consumer.maxPartitionsPerBatch).toBe(8);
  });

  it('keeps what is given', () => {
    const resolved = resolveKafkaEventLogOptions({ ...minimal, idempotent: false, deadLetterTopic: 'dead', lingerMs: 0, consumer: { fetchMaxWaitMs: 100 } });
    expect(resolved).toMatchObject({ idempotent: false, deadLetterTopic: 'dead', lingerMs: 0, consumer: { fetchMaxWaitMs: 100, sessionTimeoutMs: 30_000 } });
  });

  it.each([
    [{ brokers: [] }, 'kafka.brokers must list at least one "host:port"'],
    [{ brokers: ['kafka'] }, 'kafka.brokers must list at least one "host:port"'],
    [{ topic: 'bad topic' }, 'kafka.topic must be 1-249 characters'],
    [{ deadLetterTopic: 'waymark.events' }, 'kafka.deadLetterTopic must differ from kafka.topic'],
    [{ partitions: 0 }, 'kafka.partitions must be an integer >= 1'],
    [{ appendTimeoutMs: 50 }, 'kafka.appendTimeoutMs must be an integer >= 100'],
    [{ lingerMs: -1 }, 'kafka.lingerMs must be an integer >= 0'],
    [{ maxBatchRecords: 1.5 }, 'kafka.maxBatchRecords must be an integer >= 1'],
    [{ maxBatchBytes: 0 }, 'kafka.maxBatchBytes must be an integer >= 1'],
    [{ consumer: { fetchMinBytes: 0 } }, 'kafka.consumer.fetchMinBytes must be an integer >= 1'],
    [{ consumer: { fetchMaxBytes: 0 } }, 'kafka.consumer.fetchMaxBytes must be an integer >= 1'],
    [{ consumer: { fetchMaxBytesPerPartition: 0.5 } }, 'kafka.consumer.fetchMaxBytesPerPartition must be an integer >= 1'],
    [{ consumer: { maxPartitionsPerBatch: 0 } }, 'kafka.consumer.maxPartitionsPerBatch must be an integer >= 1'],
    [{ consumer: { heartbeatIntervalMs: 30_000 } }, 'kafka.consumer.heartbeatIntervalMs must be below kafka.consumer.sessionTimeoutMs'],
  ])('refuses %j, naming the option', (override, message) => {
    expect(() => resolveKafkaEventLogOptions({ ...minimal, ...override })).toThrow(message);
  });
});

describe('producerRetryWithin', () => {
  it('fits kafkajs backoff waits into half the append budget, capped at a quarter of it each', () => {
    expect(producerRetryWithin(10_000)).toEqual({ initialRetryTime: 100, maxRetryTime: 2500, retries: 5 });
    expect(producerRetryWithin(100)).toEqual({ initialRetryTime: 100, maxRetryTime: 100, retries: 1 });
  });
});
