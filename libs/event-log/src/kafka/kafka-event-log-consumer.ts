import { LoggerService } from '@nestjs/common';
import { Consumer, EachBatchPayload, Kafka, KafkaMessage, Message } from 'kafkajs';
import { DeadLetter, EventBatch, EventLogConsumer, LoggedRecord } from '../event-log.port';
import { ResolvedKafkaEventLogOptions } from './kafka-event-log.options';
import { formatPosition, toDeadLetterMessage } from './kafka-records';
import { dedupKeyOfRanges } from './partition-ranges';

/** One kafkajs batch (one partition) from the moment it is handed out until it is committed or given up. */
interface Delivery {
  partition: number;
  /** The group generation, as we count joins, in which kafkajs handed the batch over. */
  epoch: number;
  /** Records not committed yet, in offset order. */
  pending: KafkaMessage[];
  done: boolean;
  /** Why the group dropped us, thrown back to kafkajs so that it rejoins (boxed: any thrown value counts). */
  failure?: { error: unknown };
  payload: EachBatchPayload;
  wake: () => void;
}

/** One partition's share of a handed-out batch: its records from the delivery's first pending one up to `last`. */
interface BatchSlice {
  delivery: Delivery;
  from: string;
  last: bigint;
  /** The first record's raw value: part of the batch's dedup key (see dedupKeyOfRanges). */
  firstRaw: string;
}

/** Errors that mean this member's partitions, or its generation, are no longer its own. */
const LOST_MEMBERSHIP = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'NOT_COORDINATOR_FOR_GROUP']);

const EMPTY_BATCH: EventBatch = { records: [], dedupKey: '', caughtUp: true, commit: async () => undefined };

/** Backoff between rejoins after crashes kafkajs does not recover from itself. */
const REJOIN_FIRST_DELAY_MS = 500;
const REJOIN_MAX_DELAY_MS = 30_000;

export type DeadLetterSink = (topic: string, messages: Message[]) => Promise<void>;

/**
 * The pull-style `EventLogConsumer` over kafkajs's push-style group consumer.
 *
 * Bridge: kafkajs calls `eachBatch` with one partition's fetched records, several at
 * once (`partitionsConsumedConcurrently`: every partition of a fetch gets a call). We
 * hold those calls open, hand their records out through `nextBatch` (at most
 * `maxRecords` at a time, gathered across the held partitions, each partition's records
 * contiguous and in offset order), and let each call return only once every one of its
 * records was committed, or given up. Offsets are resolved in kafkajs (which moves its
 * fetch position) only after our commit succeeded, so kafkajs never fetches past what
 * was processed: after any rejoin, it restarts each partition from the committed
 * offset, and nothing in between can be skipped. (A prefetch buffer with pause/resume
 * would overlap fetching and processing, but it must resolve offsets before processing;
 * a batch fetched before a rejoin and delivered after it would then move the new
 * generation's fetch position past records nobody processed.) While a batch is out, the
 * bridge heartbeats for the member, as kafkajs would between batches, and notices a
 * rebalance that way.
 *
 * A batch spans partitions, so its first and last positions do not name it: it carries
 * a `dedupKey` listing every partition's range (partition-ranges.ts). `commit()` commits
 * offset+1 of each partition's last record in one OffsetCommit request, then resolves
 * them in kafkajs. `nextBatch` without a commit hands out the same records again, like
 * the SQLite consumer.
 *
 * Rebalances: when the group moves on (a heartbeat or the commit itself reports a
 * rebalance, kafkajs rejoins, or the consumer stops), every held partition is given up.
 * A batch's `commit()` then commits nothing for those partitions and resolves: the
 * records were not lost, they are delivered again, from the committed offset, to
 * whichever member owns the partition now (at least once; the read model dedups by
 * event id). A partition of a batch is committed only while it is in the assignment of
 * the generation that handed it out, so a member never commits for a partition taken
 * from it in a rejoin it has already seen.
 *
 * Crashes: kafkajs restarts its consumer itself after errors it deems retriable. After
 * any other crash it stops for good, which for a long-running projector means a member
 * that consumes nothing while its process looks alive. So the bridge rejoins the group
 * itself, with backoff, logging each crash as an error. (librdkafka's mock coordinator
 * answers INVALID_REQUEST to a member whose SyncGroup arrives after the leader's, where
 * a real broker hands out the assignment; kafkajs counts that as fatal. Two projector
 * processes starting together met it often enough to look like a consumer stall.)
 */
export class KafkaEventLogConsumer implements EventLogConsumer {
  private readonly consumer: Consumer;
  private started: Promise<void> | undefined;
  private closed: Promise<void> | undefined;
  private closing = false;
  private failure: { error: unknown } | undefined;
  private rejoinTimer: NodeJS.Timeout | undefined;
  private rejoining: Promise<void> | undefined;
  private crashesInARow = 0;
  private epoch = 0;
  private assigned = new Set<number>();
  /** kafkajs batches held open, in the order they arrived (the oldest is handed out first). */
  private readonly deliveries = new Set<Delivery>();
  private deliveryWaiters: Array<() => void> = [];
  /** Records of the batch handed out last, by position: dead letters keep their key and headers. */
  private handedOut = new Map<string, KafkaMessage>();

  constructor(
    kafka: Kafka,
    private readonly group: string,
    private readonly options: ResolvedKafkaEventLogOptions,
    private readonly deadLetters: DeadLetterSink,
    private readonly logger: LoggerService,
    private readonly onClosed: () => void = () => undefined,
  ) {
    this.consumer = kafka.consumer({
      groupId: group,
      sessionTimeout: options.consumer.sessionTimeoutMs,
      rebalanceTimeout: options.consumer.rebalanceTimeoutMs,
      heartbeatInterval: options.consumer.heartbeatIntervalMs,
      maxWaitTimeInMs: options.consumer.fetchMaxWaitMs,
      minBytes: options.consumer.fetchMinBytes,
      maxBytes: options.consumer.fetchMaxBytes,
      maxBytesPerPartition: options.consumer.fetchMaxBytesPerPartition,
      allowAutoTopicCreation: false,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => this.onJoin(payload.memberAssignment[options.topic] ?? []));
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.giveUpDeliveries();
      this.wakeDeliveryWaiters();
      // kafkajs emits CRASH after it disconnected; with `restart` it comes back by itself.
      if (!payload.restart) this.scheduleRejoin(payload.error);
    });
  }

  /** Partitions this member owns in the current generation (for diagnostics and tests). */
  assignment(): number[] {
    return [...this.assigned].sort((a, b) => a - b);
  }

  async nextBatch(maxRecords: number, maxWaitMs: number): Promise<EventBatch> {
    if (this.closing) return EMPTY_BATCH;
    this.start();
    this.throwIfFailed();
    const arrived = await this.awaitDelivery(maxWaitMs);
    this.throwIfFailed();
    if (!arrived || this.closing) return EMPTY_BATCH;
    // kafkajs hands every partition of one fetch to its workers in the same turn; one more
    // turn lets the rest of that fetch (and any other broker's that just landed) join.
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.throwIfFailed();
    if (this.closing) return EMPTY_BATCH;
    return this.gather(Math.max(1, maxRecords));
  }

  async deadLetter(letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const at = new Date();
    const messages = letters.map((letter) => {
      const source = this.handedOut.get(letter.record.position);
      return toDeadLetterMessage(letter, { topic: this.options.topic, group: this.group, key: source?.key ?? null, headers: source?.headers }, at);
    });
    await this.deadLetters(this.options.deadLetterTopic, messages);
  }

  /** Gives up the batch in hand (uncommitted records go to the next owner) and leaves the group. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing = true;
      clearTimeout(this.rejoinTimer);
      this.giveUpDeliveries();
      this.wakeDeliveryWaiters();
      try {
        if (!this.started) return;
        await this.started;
        await this.rejoining;
        await this.consumer.disconnect();
      } finally {
        this.onClosed();
      }
    })();
    return this.closed;
  }

  /** The consumer's own failure (it stopped on an error kafkajs does not retry), thrown to the reader. */
  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }

  private start(): void {
    this.started ??= this.connectAndRun().catch((error: unknown) => {
      this.failure ??= { error };
      this.wakeDeliveryWaiters();
    });
  }

  private async connectAndRun(): Promise<void> {
    await this.consumer.connect();
    // After a crash kafkajs keeps the subscription; subscribing again is harmless.
    await this.consumer.subscribe({ topics: [this.options.topic], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // One worker per partition a batch may span: kafkajs gives each worker one
      // partition's records and fetches again only when every worker is done, so with
      // fewer workers than fetched partitions the rest would wait for a later batch.
      partitionsConsumedConcurrently: this.options.consumer.maxPartitionsPerBatch,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** Joins the group again after a crash kafkajs gave up on (see the class comment). */
  private scheduleRejoin(error: unknown): void {
    if (this.closing) return;
    const delayMs = Math.min(REJOIN_MAX_DELAY_MS, REJOIN_FIRST_DELAY_MS * 2 ** Math.min(this.crashesInARow, 10));
    this.crashesInARow += 1;
    this.assigned = new Set();
    this.logger.error(
      { group: this.group, error: (error as Error)?.message ?? String(error), crashesInARow: this.crashesInARow, rejoinInMs: delayMs },
      'kafka consumer crashed with an error kafkajs does not retry; rejoining the group',
    );
    clearTimeout(this.rejoinTimer);
    this.rejoinTimer = setTimeout(() => {
      if (this.closing) return;
      this.rejoining = this.connectAndRun().catch((failure: unknown) => this.scheduleRejoin(failure));
    }, delayMs);
  }

  private onJoin(partitions: number[]): void {
    this.crashesInARow = 0;
    this.epoch += 1;
    this.assigned = new Set(partitions);
    // Reached only when kafkajs rejoined while batches were out (it recovers some fetch
    // errors that way). Their offsets were never resolved, so kafkajs fetches their
    // records again from the committed offsets for the partitions still ours.
    this.giveUpDeliveries();
    this.logger.debug?.({ group: this.group, partitions: this.assignment() }, 'kafka consumer joined its group');
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (this.closing || !payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
    const delivery: Delivery = {
      partition: batch.partition,
      epoch: this.epoch,
      pending: batch.messages.slice(),
      done: false,
      payload,
      wake: () => undefined,
    };
    this.deliveries.add(delivery);
    this.wakeDeliveryWaiters();
    try {
      while (!delivery.done) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.consumer.heartbeatIntervalMs);
          delivery.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        if (delivery.done) break;
        if (this.closing || !payload.isRunning() || delivery.epoch !== this.epoch) {
          this.settle(delivery);
          break;
        }
        try {
          await payload.heartbeat();
        } catch (error) {
          // Membership is the member's, not the partition's: every held partition goes.
          // kafkajs fetches again only once all of them have returned, so waiting for each
          // one's own heartbeat to fail would hold up the rejoin.
          this.giveUpDeliveries();
          throw error;
        }
      }
    } finally {
      this.deliveries.delete(delivery);
    }
    if (delivery.failure) throw delivery.failure.error;
  }

  /**
   * Up to `maxRecords` records from the held partitions, oldest delivery first, each
   * partition's share contiguous from its first uncommitted record.
   */
  private gather(maxRecords: number): EventBatch {
    this.handedOut = new Map();
    const records: LoggedRecord[] = [];
    const slices: BatchSlice[] = [];
    for (const delivery of this.deliveries) {
      const room = maxRecords - records.length;
      if (room <= 0) break;
      if (delivery.done || delivery.pending.length === 0) continue;
      const messages = delivery.pending.slice(0, room);
      for (const message of messages) {
        const position = formatPosition(delivery.partition, message.offset);
        this.handedOut.set(position, message);
        records.push({ position, raw: message.value?.toString('utf8') ?? '' });
      }
      slices.push({
        delivery,
        from: messages[0].offset,
        last: BigInt(messages[messages.length - 1].offset),
        firstRaw: records[records.length - messages.length].raw,
      });
    }
    if (slices.length === 0) return EMPTY_BATCH;
    const dedupKey = dedupKeyOfRanges(
      slices.map((slice) => ({ partition: slice.delivery.partition, from: slice.from, to: slice.last.toString(), firstRaw: slice.firstRaw })),
    );
    return { records, dedupKey, caughtUp: this.caughtUpWith(slices), commit: () => this.commit(slices) };
  }

  /**
   * Whether a batch leaves nothing behind that we know of: every held record is in it and
   * none of its partitions is behind the high watermark the broker gave with the fetch.
   * A fetch is bounded by bytes, so a batch smaller than asked for may still sit on a
   * backlog; the projector must then read on, not linger. (A partition with a backlog
   * that this fetch left out entirely is not seen here: at worst one linger too many.)
   */
  private caughtUpWith(slices: readonly BatchSlice[]): boolean {
    const handedOut = new Map(slices.map((slice) => [slice.delivery, slice.last]));
    for (const delivery of this.deliveries) {
      if (delivery.done || delivery.pending.length === 0) continue;
      const last = handedOut.get(delivery);
      if (last === undefined || BigInt(delivery.pending[delivery.pending.length - 1].offset) > last) return false;
      if (BigInt(delivery.payload.batch.highWatermark) > last + 1n) return false;
    }
    return true;
  }

  /**
   * Commits every partition of a batch that is still ours in one request, then resolves
   * those offsets in kafkajs. Partitions given up (rebalance, stop) are skipped with a
   * warning: their records are delivered again.
   */
  private async commit(slices: readonly BatchSlice[]): Promise<void> {
    const toCommit = slices.filter((slice) => this.mayCommit(slice));
    if (toCommit.length === 0) return;
    const partitions = toCommit.map(({ delivery, last }) => ({ partition: delivery.partition, offset: (last + 1n).toString() }));
    try {
      // Any held payload will do: they share kafkajs's consumer group and its generation.
      await toCommit[0].delivery.payload.commitOffsetsIfNecessary({ topics: [{ topic: this.options.topic, partitions }] });
    } catch (error) {
      if (!LOST_MEMBERSHIP.has((error as { type?: string }).type ?? '')) throw error;
      this.logger.warn(
        { group: this.group, partitions: describeSlices(toCommit), error: (error as Error).message },
        'kafka batch not committed: the group is rebalancing; its records will be delivered again',
      );
      for (const { delivery } of toCommit) this.settle(delivery, { error });
      // The rest of the held partitions are lost with the membership too.
      this.giveUpDeliveries();
      return;
    }
    for (const { delivery, last } of toCommit) {
      // Resolved only now, after the commit: kafkajs's fetch position never passes the
      // committed offset. A delivery given up while the request was out is no longer
      // kafkajs's to move; the next generation reads the committed offsets itself.
      if (!delivery.done) delivery.payload.resolveOffset(last.toString());
      delivery.pending = delivery.pending.filter((message) => BigInt(message.offset) > last);
      if (delivery.pending.length === 0) this.settle(delivery);
    }
  }

  /** Whether a slice still needs committing and may be: its partition is ours in the generation that handed it out. */
  private mayCommit({ delivery, last }: BatchSlice): boolean {
    const alreadyCommitted = delivery.pending.length === 0 || BigInt(delivery.pending[0].offset) > last;
    if (alreadyCommitted && delivery.done) return false;
    if (delivery.done || delivery.epoch !== this.epoch || !this.assigned.has(delivery.partition)) {
      this.logger.warn(
        { group: this.group, partition: delivery.partition, upTo: last.toString() },
        'kafka batch not committed: the partition was reassigned or the consumer stopped; its records will be delivered again',
      );
      return false;
    }
    return !alreadyCommitted;
  }

  private giveUpDeliveries(): void {
    for (const delivery of this.deliveries) this.settle(delivery);
  }

  private settle(delivery: Delivery, failure?: { error: unknown }): void {
    if (delivery.done) return;
    delivery.done = true;
    delivery.failure = failure;
    delivery.wake();
  }

  /** Waits up to `maxWaitMs` for a held partition with records to hand out. */
  private awaitDelivery(maxWaitMs: number): Promise<Delivery | undefined> {
    const current = () => {
      for (const delivery of this.deliveries) if (!delivery.done && delivery.pending.length > 0) return delivery;
      return undefined;
    };
    if (current() || maxWaitMs <= 0) return Promise.resolve(current());
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.deliveryWaiters = this.deliveryWaiters.filter((waiter) => waiter !== finish);
        resolve(current());
      };
      const timer = setTimeout(finish, maxWaitMs);
      this.deliveryWaiters.push(finish);
    });
  }

  private wakeDeliveryWaiters(): void {
    for (const wake of [...this.deliveryWaiters]) wake();
  }
}

function describeSlices(slices: readonly BatchSlice[]): string {
  return slices.map(({ delivery, from, last }) => `${delivery.partition}:${from}-${last}`).join(',');
}
