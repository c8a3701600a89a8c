export interface ProduceBatcherOptions {
  lingerMs: number;
  maxBatchRecords: number;
  maxBatchBytes: number;
}

export interface ProduceBatcherStats {
  /** Calls of `add` with at least one item. */
  adds: number;
  /** Calls of the send function, i.e. produce requests asked of the client. */
  sends: number;
  items: number;
}

interface Ticket {
  remaining: number;
  failed: boolean;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Entry<T> {
  item: T;
  bytes: number;
  queuedAt: number;
  ticket: Ticket;
}

/**
 * Coalesces concurrent appends into few produce requests (kafkajs has no linger of its
 * own): items wait at most `lingerMs` from the first one queued, a batch closes early at
 * `maxBatchRecords` or `maxBatchBytes`, and while one send is in flight the next batch
 * gathers behind it, like group commit.
 *
 * One send at a time is also the ordering guarantee: a send is retried by the client
 * before the next one starts, so a later append can never overtake an earlier one in
 * its partition, idempotent producer or not. An append resolves when every one of its
 * items was sent; if a send fails, each append with an item in it is rejected and its
 * items not yet sent are dropped, so no append is written past a hole of its own.
 */
export class ProduceBatcher<T> {
  readonly stats: ProduceBatcherStats = { adds: 0, sends: 0, items: 0 };
  private readonly queue: Entry<T>[] = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly send: (items: T[]) => Promise<void>,
    private readonly sizeOf: (item: T) => number,
    private readonly options: ProduceBatcherOptions,
  ) {}

  add(items: readonly T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    this.stats.adds += 1;
    return new Promise<void>((resolve, reject) => {
      const ticket: Ticket = { remaining: items.length, failed: false, resolve, reject };
      const queuedAt = Date.now();
      for (const item of items) {
        const bytes = this.sizeOf(item);
        this.queue.push({ item, bytes, queuedAt, ticket });
        this.queuedBytes += bytes;
      }
      this.schedule();
    });
  }

  /** Sends everything queued now without waiting for the linger; resolves once idle. */
  async flush(): Promise<void> {
    for (;;) {
      if (!this.inFlight && this.queue.length > 0) this.sendNext();
      if (!this.inFlight) return;
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
  }

  private schedule(): void {
    if (this.inFlight || this.queue.length === 0) return;
    if (this.queue.length >= this.options.maxBatchRecords || this.queuedBytes >= this.options.maxBatchBytes) {
      this.sendNext();
      return;
    }
    if (this.timer) return;
    const wait = Math.max(0, this.queue[0].queuedAt + this.options.lingerMs - Date.now());
    this.timer = setTimeout(() => this.sendNext(), wait);
  }

  private sendNext(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.take();
    if (batch.length === 0) return;
    this.stats.sends += 1;
    this.stats.items += batch.length;
    this.inFlight = this.sendBatch(batch).finally(() => {
      this.inFlight = undefined;
      this.schedule();
      if (!this.inFlight) this.notifyIdle();
    });
  }

  private take(): Entry<T>[] {
    const batch: Entry<T>[] = [];
    let bytes = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (next.ticket.failed) {
        this.queue.shift();
        this.queuedBytes -= next.bytes;
        continue;
      }
      // The first entry always goes, so one oversized event still gets its own request.
      if (batch.length > 0 && (batch.length >= this.options.maxBatchRecords || bytes + next.bytes > this.options.maxBatchBytes)) break;
      this.queue.shift();
      this.queuedBytes -= next.bytes;
      bytes += next.bytes;
      batch.push(next);
    }
    return batch;
  }

  private async sendBatch(batch: Entry<T>[]): Promise<void> {
    try {
      await this.send(batch.map((entry) => entry.item));
    } catch (error) {
      for (const { ticket } of batch) {
        if (ticket.failed) continue;
        ticket.failed = true;
        ticket.reject(error);
      }
      return;
    }
    for (const { ticket } of batch) {
      ticket.remaining -= 1;
      if (ticket.remaining === 0 && !ticket.failed) ticket.resolve();
    }
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
