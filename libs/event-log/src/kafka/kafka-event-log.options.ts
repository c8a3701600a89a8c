/**
 * Settings of the Kafka event log: plain data, so the app's config maps its validated
 * environment onto it and nothing here reads `process.env`.
 */
export interface KafkaEventLogOptions {
  /** `host:port` of at least one broker. */
  brokers: string[];
  clientId?: string;
  /** The event topic. Created by the deployment, not by this adapter. */
  topic: string;
  /**
   * The event topic's partition count. `connect()` refuses to start when the topic has a
   * different count: keys would then land on other partitions than the other producers
   * put them on, and one user's events would stop being in one ordered partition.
   */
  partitions: number;
  /** Where consumers put records they cannot process. Default `<topic>.dlq`. */
  deadLetterTopic?: string;
  /**
   * Idempotent producer (default on): the broker drops a retried produce it already
   * wrote, so retries neither duplicate nor reorder. Needs a broker that hands out
   * producer ids (a controller); librdkafka's mock cluster cannot, so tests turn it off.
   */
  idempotent?: boolean;
  /** How long an append may wait for others to share its produce request. Default 2 ms. */
  lingerMs?: number;
  /** Most events in one produce request. Default 1000. */
  maxBatchRecords?: number;
  /**
   * Most bytes (keys, values, headers) in one produce request. Default 900 000, under
   * the broker's default `message.max.bytes` (1 MiB) so that even a request whose
   * events all go to one partition fits in one record batch.
   */
  maxBatchBytes?: number;
  /**
   * Longest an append waits for the broker's acknowledgement before it fails as
   * unavailable (503 over HTTP). Default 10 000. kafkajs would otherwise retry an
   * idempotent producer's send without end while the brokers are down, and every
   * request touching the log would hang; its retries are bounded to fit in this time
   * too, so that a send given up here is, but for one whose acknowledgement was lost,
   * not written later behind the caller's back.
   */
  appendTimeoutMs?: number;
  consumer?: KafkaConsumerOptions;
}

export interface KafkaConsumerOptions {
  /** The group coordinator drops a member it has not heard from for this long. Default 30 000. */
  sessionTimeoutMs?: number;
  /** How long the coordinator waits for members to rejoin during a rebalance. Default 60 000. */
  rebalanceTimeoutMs?: number;
  /** Heartbeat period, also while a handed-out batch is being processed. Default 3000. */
  heartbeatIntervalMs?: number;
  /** Longest a fetch waits on the broker for new records (up to `fetchMinBytes`). Default 1000. */
  fetchMaxWaitMs?: number;
  /**
   * Bytes a fetch waits for (up to `fetchMaxWaitMs`) before the broker answers. Default 1:
   * answer as soon as anything is there, so a quiet stream stays fresh; under load the
   * records pile up while a batch is projected and the next fetch is large anyway.
   */
  fetchMinBytes?: number;
  /**
   * Most bytes one fetch asks for, over all partitions of a broker. Default 10 MiB: about
   * 11,000 events of ~900 bytes, one projector batch (PROJECTOR_BATCH_SIZE 10,000).
   */
  fetchMaxBytes?: number;
  /** Most bytes one fetch asks for per partition. Default 1 MiB (the broker's own default record batch limit). */
  fetchMaxBytesPerPartition?: number;
  /**
   * How many partitions' fetched records one batch may span: kafkajs's
   * `partitionsConsumedConcurrently`, each held open until its records are committed.
   * Default: the topic's partition count, so one batch can take a whole fetch.
   */
  maxPartitionsPerBatch?: number;
}

export type ResolvedKafkaEventLogOptions = Required<Omit<KafkaEventLogOptions, 'consumer'>> & {
  consumer: Required<KafkaConsumerOptions>;
};

/** Applies defaults and checks every value; a bad one throws naming the option. */
export function resolveKafkaEventLogOptions(options: KafkaEventLogOptions): ResolvedKafkaEventLogOptions {
  const resolved: ResolvedKafkaEventLogOptions = {
    brokers: options.brokers,
    clientId: options.clientId ?? 'waymark',
    topic: options.topic,
    partitions: options.partitions,
    deadLetterTopic: options.deadLetterTopic ?? `${options.topic}.dlq`,
    idempotent: options.idempotent ?? true,
    lingerMs: options.lingerMs ?? 2,
    maxBatchRecords: options.maxBatchRecords ?? 1000,
    maxBatchBytes: options.maxBatchBytes ?? 900_000,
    appendTimeoutMs: options.appendTimeoutMs ?? 10_000,
    consumer: {
      sessionTimeoutMs: options.consumer?.sessionTimeoutMs ?? 30_000,
      rebalanceTimeoutMs: options.consumer?.rebalanceTimeoutMs ?? 60_000,
      heartbeatIntervalMs: options.consumer?.heartbeatIntervalMs ?? 3000,
      fetchMaxWaitMs: options.consumer?.fetchMaxWaitMs ?? 1000,
      fetchMinBytes: options.consumer?.fetchMinBytes ?? 1,
      fetchMaxBytes: options.consumer?.fetchMaxBytes ?? 10 * 1024 * 1024,
      fetchMaxBytesPerPartition: options.consumer?.fetchMaxBytesPerPartition ?? 1024 * 1024,
      maxPartitionsPerBatch: options.consumer?.maxPartitionsPerBatch ?? options.partitions,
    },
  };

  if (!Array.isArray(resolved.brokers) || resolved.brokers.length === 0 || resolved.brokers.some((b) => !/^[^\s:]+:\d+$/.test(b))) {
    throw new Error(`kafka.brokers must list at least one "host:port", got ${JSON.stringify(options.brokers)}`);
  }
  requireName('kafka.clientId', resolved.clientId);
  requireName('kafka.topic', resolved.topic);
  requireName('kafka.deadLetterTopic', resolved.deadLetterTopic);
  if (resolved.deadLetterTopic === resolved.topic) throw new Error('kafka.deadLetterTopic must differ from kafka.topic');
  if (typeof resolved.idempotent !== 'boolean') throw new Error(`kafka.idempotent must be a boolean, got ${JSON.stringify(options.idempotent)}`);
  requireInteger('kafka.partitions', resolved.partitions, 1);
  requireInteger('kafka.lingerMs', resolved.lingerMs, 0);
  requireInteger('kafka.maxBatchRecords', resolved.maxBatchRecords, 1);
  requireInteger('kafka.maxBatchBytes', resolved.maxBatchBytes, 1);
  requireInteger('kafka.appendTimeoutMs', resolved.appendTimeoutMs, 100);
  requireInteger('kafka.consumer.sessionTimeoutMs', resolved.consumer.sessionTimeoutMs, 1);
  requireInteger('kafka.consumer.rebalanceTimeoutMs', resolved.consumer.rebalanceTimeoutMs, 1);
  requireInteger('kafka.consumer.heartbeatIntervalMs', resolved.consumer.heartbeatIntervalMs, 1);
  requireInteger('kafka.consumer.fetchMaxWaitMs', resolved.consumer.fetchMaxWaitMs, 0);
  requireInteger('kafka.consumer.fetchMinBytes', resolved.consumer.fetchMinBytes, 1);
  requireInteger('kafka.consumer.fetchMaxBytes', resolved.consumer.fetchMaxBytes, 1);
  requireInteger('kafka.consumer.fetchMaxBytesPerPartition', resolved.consumer.fetchMaxBytesPerPartition, 1);
  requireInteger('kafka.consumer.maxPartitionsPerBatch', resolved.consumer.maxPartitionsPerBatch, 1);
  if (resolved.consumer.heartbeatIntervalMs >= resolved.consumer.sessionTimeoutMs) {
    throw new Error('kafka.consumer.heartbeatIntervalMs must be below kafka.consumer.sessionTimeoutMs');
  }
  return resolved;
}

function requireName(name: string, value: unknown): void {
  // Kafka's own rule for topic names; client ids are held to it too for readable logs.
  if (typeof value !== 'string' || !/^[a-zA-Z0-9._-]{1,249}$/.test(value)) {
    throw new Error(`${name} must be 1-249 characters of [a-zA-Z0-9._-], got ${JSON.stringify(value)}`);
  }
}

function requireInteger(name: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
}
