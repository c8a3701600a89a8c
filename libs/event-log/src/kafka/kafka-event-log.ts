import { LoggerService } from '@nestjs/common';
import { DomainError, EventEnvelope } from '@waymark/domain';
import { PersonalDataCodec } from '@waymark/privacy';
import { Kafka, KafkaConfig, Message, Partitioners, Producer, logLevel } from 'kafkajs';
import { EventLog, LagReport } from '../event-log.port';
import { KafkaEventLogConsumer } from './kafka-event-log-consumer';
import { KafkaEventLogOptions, ResolvedKafkaEventLogOptions, resolveKafkaEventLogOptions } from './kafka-event-log.options';
import { kafkajsLogCreator } from './kafkajs-log-bridge';
import { messageBytes, toEventMessage, toRedrivenMessage } from './kafka-records';
import { KafkaTopicScanner, ScanOptions, ScanStart, ScanSummary, ScannedRecord } from './kafka-topic-scanner';
import { ProduceBatcher } from './produce-batcher';

export interface KafkaEventLogStats {
  /** `append` calls with at least one event. */
  appends: number;
  events: number;
  /** Produce calls made by the batcher: each carries one or more appends. */
  sends: number;
  /** Produce requests on the wire (one per partition leader a send touches), dead letters included. */
  produceRequests: number;
}

/**
 * The event log on Kafka (kafkajs; every kafkajs import stays in this folder so another
 * client can replace it behind the `EventLog` port).
 *
 * `append` resolves once the broker acknowledged every event with acks=-1 (all in-sync
 * replicas). Concurrent appends share produce requests through the `ProduceBatcher`
 * (linger, count and byte bounds), one request in flight at a time. Keys are
 * `partitionKeyOf(event)` through kafkajs's Java-compatible murmur2 partitioner, so
 * other clients put a user's events in the same partition.
 *
 * Idempotence: on by default, the broker drops a retried produce it already wrote. With
 * it off (librdkafka's mock cluster has no controller to hand out producer ids), a retry
 * after a lost acknowledgement writes the events again: a partition may then hold
 * `a b c a b c`, never `b a`, because the batcher sends one request at a time and kafkajs
 * retries it whole before the next (and `maxInFlightRequests: 1` keeps dead letters
 * from overlapping it). The projector dedups on event id, so duplicates cost nothing
 * but bytes. A rejected append may still have been written in part (one partition
 * leader acknowledged, another did not): the caller learns "not durable", not "absent".
 */
export class KafkaEventLog implements EventLog {
  readonly options: ResolvedKafkaEventLogOptions;
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly batcher: ProduceBatcher<Message>;
  private readonly consumers = new Set<KafkaEventLogConsumer>();
  private connecting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private produceRequests = 0;

  constructor(
    options: KafkaEventLogOptions,
    private readonly logger: LoggerService,
    /**
     * Stores events under their users' subjects with data sealed by the users' keys
     * (crypto-shredding, docs/privacy.md). The service always passes one; without it
     * events are produced as made (tests of the transport alone, tools that copy stored
     * records).
     */
    private readonly codec?: PersonalDataCodec,
  ) {
    this.options = resolveKafkaEventLogOptions(options);
    const client: KafkaConfig = {
      clientId: this.options.clientId,
      brokers: this.options.brokers,
      logLevel: logLevel.INFO,
      logCreator: kafkajsLogCreator(logger),
    };
    this.kafka = new Kafka(client);
    // The producer has a client of its own: kafkajs nests the client's retries (metadata,
    // connections) inside the producer's, and both must fit in the append's time. The
    // consumers and the admin keep kafkajs's patient defaults.
    const producerRetry = producerRetryWithin(this.options.appendTimeoutMs);
    this.producer = new Kafka({
      ...client,
      retry: producerRetry,
      connectionTimeout: Math.min(1000, Math.floor(this.options.appendTimeoutMs / 4)),
      requestTimeout: this.options.appendTimeoutMs,
    }).producer({
      idempotent: this.options.idempotent,
      retry: producerRetry,
      maxInFlightRequests: 1,
      // A topic auto-created by a produce would get the broker's default partition count.
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.producer.on(this.producer.events.REQUEST, ({ payload }) => {
      if (payload.apiName === 'Produce') this.produceRequests += 1;
    });
    this.batcher = new ProduceBatcher((messages) => this.send(this.options.topic, messages), messageBytes, {
      lingerMs: this.options.lingerMs,
      maxBatchRecords: this.options.maxBatchRecords,
      maxBatchBytes: this.options.maxBatchBytes,
    });
  }

  /**
   * Checks the topics and connects the producer. Call it at start-up to fail fast; the
   * first append calls it too. Refuses an event topic whose partition count is not the
   * configured one, and a missing topic (topics are the deployment's to create).
   */
  connect(): Promise<void> {
    if (this.closing) return Promise.reject(new Error('the Kafka event log is closed'));
    this.connecting ??= this.checkTopicsAndConnect().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  async append(events: readonly EventEnvelope[]): Promise<void> {
    if (events.length === 0) return;
    try {
      await withDeadline(
        (async () => {
          // Inside the deadline: a new user's key is written to the key store first, and
          // that store being down is the service being unavailable too.
          const messages = (this.codec ? await this.codec.encodeAll(events) : events).map(toEventMessage);
          await this.connect();
          await this.batcher.add(messages);
        })(),
        this.options.appendTimeoutMs,
      );
    } catch (error) {
      // Kafka not acknowledging (down, unreachable, out of retries) is the service being
      // unavailable, not a bug: callers get STORE_UNAVAILABLE (503 with Retry-After over
      // HTTP). "Not durable" rather than "absent": a failed produce may have been written
      // in part (see the class comment).
      this.logger.error({ err: error, events: events.length }, 'kafka append failed');
      throw new DomainError('STORE_UNAVAILABLE', 'the event log did not acknowledge the events; retry later');
    }
  }

  openConsumer(group: string): KafkaEventLogConsumer {
    if (this.closing) throw new Error('the Kafka event log is closed');
    const consumer: KafkaEventLogConsumer = new KafkaEventLogConsumer(
      this.kafka,
      group,
      this.options,
      (topic, messages) => this.sendDeadLetters(topic, messages),
      this.logger,
      () => this.consumers.delete(consumer),
    );
    this.consumers.add(consumer);
    return consumer;
  }

  /** Committed offsets of a group against the topic's high watermarks, per partition. */
  async describeLag(group: string): Promise<LagReport> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const [heads, committed] = await Promise.all([
        admin.fetchTopicOffsets(this.options.topic),
        admin.fetchOffsets({ groupId: group, topics: [this.options.topic] }),
      ]);
      const committedByPartition = new Map(committed.flatMap((entry) => entry.partitions).map((entry) => [entry.partition, entry.offset]));
      const partitions = heads
        .map(({ partition, high }) => {
          // An offset of -1 means the group never committed on that partition: all of it is lag.
          const done = Math.max(0, Number(committedByPartition.get(partition) ?? '-1'));
          return { partition: String(partition), committed: String(done), head: high, lag: Math.max(0, Number(high) - done) };
        })
        .sort((a, b) => Number(a.partition) - Number(b.partition));
      return { group, partitions, total: partitions.reduce((sum, entry) => sum + entry.lag, 0) };
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Reads the event topic or the dead-letter topic from chosen offsets, outside every
   * consumer group (export, tail, dead-letter listing); see KafkaTopicScanner.
   */
  scan(which: 'events' | 'dead-letters', options: ScanOptions): Promise<ScanSummary> {
    const topic = which === 'events' ? this.options.topic : this.options.deadLetterTopic;
    return new KafkaTopicScanner(this.kafka, this.logger, this.options.consumer).scan(topic, options);
  }

  /** How many records a scan from `start` would read now (a dry run's plan). */
  async measure(which: 'events' | 'dead-letters', start: ScanStart): Promise<number> {
    return (await this.planScan(which, start)).planned;
  }

  /** Where a scan from `start` would begin and end on each partition now, and how many records lie between. */
  async planScan(which: 'events' | 'dead-letters', start: ScanStart): Promise<{ planned: number; starts: Map<number, string>; ends: Map<number, string> }> {
    const topic = which === 'events' ? this.options.topic : this.options.deadLetterTopic;
    const { starts, ends } = await new KafkaTopicScanner(this.kafka, this.logger, this.options.consumer).plan(topic, start);
    const planned = [...starts].reduce((sum, [partition, offset]) => sum + Math.max(0, Number(ends.get(partition)) - Number(offset)), 0);
    return { planned, starts, ends };
  }

  /** Sends dead letters back to the event topic (acks = -1), so the projectors try them again. */
  async redrive(letters: readonly ScannedRecord[]): Promise<void> {
    if (letters.length === 0) return;
    await this.connect();
    await this.send(this.options.topic, letters.map(toRedrivenMessage));
  }

  stats(): KafkaEventLogStats {
    const { adds, items, sends } = this.batcher.stats;
    return { appends: adds, events: items, sends, produceRequests: this.produceRequests };
  }

  /** Sends what is queued, closes the consumers (leaving their groups), disconnects. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.batcher.flush();
      await Promise.all([...this.consumers].map((consumer) => consumer.close()));
      await this.producer.disconnect();
    })();
    return this.closing;
  }

  private async sendDeadLetters(topic: string, messages: Message[]): Promise<void> {
    await this.connect();
    await this.send(topic, messages);
  }

  private async send(topic: string, messages: Message[]): Promise<void> {
    await this.producer.send({ topic, acks: -1, messages });
  }

  private async checkTopicsAndConnect(): Promise<void> {
    const { topic, deadLetterTopic, partitions } = this.options;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      let found;
      try {
        found = (await admin.fetchTopicMetadata({ topics: [topic, deadLetterTopic] })).topics;
      } catch (error) {
        throw new Error(
          `cannot read the Kafka topics "${topic}" and "${deadLetterTopic}" (${(error as Error).message}); ` +
            `create them before starting, "${topic}" with ${partitions} partitions`,
          { cause: error },
        );
      }
      const eventTopic = found.find((t) => t.name === topic);
      const count = eventTopic?.partitions.length ?? 0;
      if (count !== partitions) {
        throw new Error(
          `Kafka topic "${topic}" has ${count} partitions but kafka.partitions is ${partitions}: ` +
            'keys would map to other partitions than the other producers use, breaking per-user order',
        );
      }
    } finally {
      await admin.disconnect();
    }
    await this.producer.connect();
  }
}

/**
 * kafkajs retries for a send that give up within about `budgetMs` while the brokers
 * refuse connections (backoff 100 ms doubling, each wait at most a quarter of the
 * budget). kafkajs warns that bounding an idempotent producer's retries may break
 * exactly-once; Waymark does not rely on it (no transactions; the projections dedup on
 * event id), only on each send's own retries not duplicating, which holds.
 */
export function producerRetryWithin(budgetMs: number): { initialRetryTime: number; maxRetryTime: number; retries: number } {
  const initialRetryTime = 100;
  const maxRetryTime = Math.max(initialRetryTime, Math.floor(budgetMs / 4));
  let retries = 0;
  for (let waited = 0, wait = initialRetryTime; waited + wait <= budgetMs / 2; waited += wait, wait = Math.min(wait * 2, maxRetryTime)) retries += 1;
  return { initialRetryTime, maxRetryTime, retries: Math.max(1, retries) };
}

/** `work`, or a rejection once `ms` have passed (a hung broker); `work` goes on and its outcome is ignored. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no acknowledgement from Kafka within ${ms} ms`)), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
