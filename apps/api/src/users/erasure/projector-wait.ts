import { EventLog } from '@waymark/event-log';

export interface ProjectorWaitOptions {
  /** The read model's consumer group (READ_MODEL_GROUP). */
  group: string;
  timeoutMs: number;
  pollMs: number;
  sleep?: (ms: number) => Promise<void>;
  clock?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the read model's projector has processed everything in the log now: the
 * head of each partition at the call, against the group's committed position (embedded:
 * one partition, the consumer's checkpoint vs the newest position; Kafka: the committed
 * offset vs the high watermark, both "next to read"). Resolves true once it has, false
 * when `timeoutMs` passed first. Events appended meanwhile are not waited for.
 */
export async function waitForProjector(log: EventLog, options: ProjectorWaitOptions): Promise<boolean> {
  const sleep = options.sleep ?? defaultSleep;
  const clock = options.clock ?? Date.now;
  const deadline = clock() + options.timeoutMs;
  const target = new Map((await log.describeLag(options.group)).partitions.map((partition) => [partition.partition, BigInt(partition.head)]));
  for (;;) {
    const report = await log.describeLag(options.group);
    const behind = report.partitions.some((partition) => BigInt(partition.committed) < (target.get(partition.partition) ?? 0n));
    if (!behind) return true;
    if (clock() >= deadline) return false;
    await sleep(options.pollMs);
  }
}
