import { Clock } from '@waymark/domain';

/**
 * A clock a test moves by hand, for the API's CLOCK (startApi(env, { clock })): timeouts
 * of minutes or days are tested without waiting. Starts at the real now, so what the
 * app writes stays within the instants the read model and Kafka accept; only moves
 * forward, as time does.
 */
export class ManualClock {
  private nowMs: number;
  readonly clock: Clock = () => this.nowMs;

  constructor(startMs = Date.now()) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  advance(ms: number): void {
    if (ms < 0) throw new Error('a manual clock only moves forward');
    this.nowMs += ms;
  }
}
