import { Progress } from '../support/progress';

export interface OpenLoopOptions {
  /** Requests per second to offer, whatever the server's pace. */
  rate: number;
  durationS: number;
  /** Requests allowed in flight; past it a due request is counted as dropped, not queued without bound. */
  maxInFlight: number;
  label: string;
  /** Sends request number `index`; resolves with whether the answer was the expected one. */
  send: (index: number) => Promise<boolean>;
}

export interface OpenLoopResult {
  offered: number;
  ok: number;
  failed: number;
  /** Due while `maxInFlight` requests were outstanding: the server fell behind the rate. */
  dropped: number;
  /** Successful answers per second over the run. */
  achievedRate: number;
  /** Latency from each request's scheduled time (not its send time), so queueing behind a slow server counts. */
  latenciesMs: number[];
  failures: string[];
}

/**
 * Open-loop load: requests leave on a fixed schedule (rate × elapsed time), not when the
 * previous answer arrived, so a slow server meets the same arrival rate a real fleet of
 * clients would send, and latency is measured from the intended send time.
 */
export async function openLoop(options: OpenLoopOptions, progress: Progress): Promise<OpenLoopResult> {
  const result: OpenLoopResult = { offered: 0, ok: 0, failed: 0, dropped: 0, achievedRate: 0, latenciesMs: [], failures: [] };
  const total = Math.round(options.rate * options.durationS);
  const intervalMs = 1000 / options.rate;
  const started = performance.now();
  let inFlight = 0;
  let due = 0;
  const outstanding = new Set<Promise<void>>();

  const fire = (index: number) => {
    const scheduledAt = started + index * intervalMs;
    inFlight += 1;
    const pending = options
      .send(index)
      .then(
        (ok) => {
          if (ok) {
            result.ok += 1;
            result.latenciesMs.push(performance.now() - scheduledAt);
          } else result.failed += 1;
        },
        (error: unknown) => {
          result.failed += 1;
          if (result.failures.length < 5) result.failures.push(error instanceof Error ? error.message : String(error));
        },
      )
      .finally(() => {
        inFlight -= 1;
        outstanding.delete(pending);
      });
    outstanding.add(pending);
  };

  let lastReport = started;
  let lastOk = 0;
  await new Promise<void>((resolve) => {
    // A 1 ms timer catches up on every request that fell due since the last turn, so
    // the schedule holds even when a turn is late.
    const timer = setInterval(() => {
      const now = performance.now();
      const target = Math.min(total, Math.floor((now - started) / intervalMs) + 1);
      for (; due < target; due += 1) {
        result.offered += 1;
        if (inFlight >= options.maxInFlight) result.dropped += 1;
        else fire(due);
      }
      if (now - lastReport >= 1000) {
        const rate = ((result.ok - lastOk) * 1000) / (now - lastReport);
        progress.update(
          `${options.label}: ${((now - started) / 1000).toFixed(0)}/${options.durationS} s, ${Math.round(rate).toLocaleString('en-US')} ok/s, ${inFlight} in flight`,
        );
        lastReport = now;
        lastOk = result.ok;
      }
      if (due >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  await Promise.all(outstanding);
  progress.clear();
  result.achievedRate = result.ok / ((performance.now() - started) / 1000);
  return result;
}
