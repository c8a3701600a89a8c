import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { closedLoop } from './load/closed-loop';
import { HttpClient } from './load/http-client';
import { openLoop } from './load/open-loop';
import { startApiProcess } from './support/api-process';
import { Benchmark, BenchmarkRun, atLeast, atMost, fmt } from './support/benchmark';
import { SEED_KEY, seedSessionBody, startSessionLoad } from './support/seed';
import { percentile, sleep } from './support/stats';

const TARGET_RATE = 5_000;
const TARGET_P95_MS = 1_000;
const PROBES_PER_SECOND = 10;
const POLL_EVERY_MS = 20;
const GIVE_UP_AFTER_MS = 10_000;

/**
 * How long after its 201 a session shows in GET /v1/journeys, while sessions arrive at
 * a steady rate (open loop). Ten sessions a second are probes; the probes of one second
 * share an identifier of their own, and one poller asks for each identifier that still
 * has an unseen probe every 20 ms, so the polling costs the server a few queries per
 * interval whatever the lag (a poller per probe would load the very server it measures).
 * The figure is an upper bound: it ends when the answer that shows the session arrives.
 */
export const freshnessBenchmark: Benchmark = {
  name: 'freshness',
  title: 'Freshness: 201 → visible in the journey endpoint',
  layout: 'API in its own process (in-process projector); open-loop sender and journey pollers in the runner process',
  async run(context): Promise<BenchmarkRun> {
    const rate = context.quick ? 1_000 : TARGET_RATE;
    const durationS = context.quick ? 5 : 20;
    const api = await startApiProcess(join(context.workDir, 'freshness'));
    const sessions = new HttpClient(api.url, 256);
    const journeys = new HttpClient(api.url, 32);
    const run = randomUUID().slice(0, 8);
    const probeEvery = Math.max(1, Math.round(rate / PROBES_PER_SECOND));
    const failures: string[] = [];
    const poller = new ProbePoller(journeys);
    try {
      // Warm the server (JIT, caches) first, as the start-session benchmark does.
      const warmup = await closedLoop(
        { url: `${api.url}/v1/sessions`, method: 'POST', body: seedSessionBody(), connections: 50, durationS: startSessionLoad(context.quick).warmupS, label: 'warm-up' },
        context.progress,
      );
      if (warmup.non2xx + warmup.errors > 0) failures.push(`warm-up: ${warmup.non2xx} non-2xx, ${warmup.errors} errors`);
      const load = await openLoop(
        {
          rate,
          durationS,
          maxInFlight: 2_000,
          label: `freshness (${fmt.perSecond(rate)} offered)`,
          send: async (index) => {
            const isProbe = index % probeEvery === 0;
            const identifier = isProbe ? `probe-${run}-${Math.floor(index / rate)}` : `user-${run}-${index}`;
            const answer = await sessions.send('POST', '/v1/sessions', seedSessionBody(identifier));
            if (answer.status !== 201) throw new Error(`POST /v1/sessions answered ${answer.status}: ${answer.body.slice(0, 200)}`);
            if (isProbe) {
              const { sessionId } = JSON.parse(answer.body) as { sessionId: string };
              poller.expect(identifier, sessionId, performance.now());
            }
            return true;
          },
        },
        context.progress,
      );
      context.progress.note('waiting for the last probes to become visible');
      const probes = await poller.finish();
      const visible = probes.visibleMs;
      const invisible = probes.invisible;
      failures.push(...probes.errors);
      if (load.failed > 0) failures.push(`${load.failed} start-session requests failed: ${load.failures.join('; ')}`);
      if (invisible > 0) failures.push(`${invisible} probe sessions not visible within ${GIVE_UP_AFTER_MS} ms`);
      const p50 = percentile(visible, 50);
      const p95 = percentile(visible, 95);
      return {
        figures: [
          { label: 'visible after 201: p50 / p95 / max', value: `${fmt.ms(p50)} / ${fmt.ms(p95)} / ${fmt.ms(Math.max(...visible))}` },
          { label: 'probes (visible / sent)', value: `${visible.length} / ${visible.length + invisible}, polled every ${POLL_EVERY_MS} ms` },
          { label: 'offered / achieved', value: `${fmt.perSecond(rate)} for ${durationS} s / ${fmt.perSecond(load.achievedRate)}` },
          { label: 'dropped (server behind, > 2,000 in flight)', value: fmt.int(load.dropped) },
          { label: '201 latency from schedule p50 / p99', value: `${fmt.ms(percentile(load.latenciesMs, 50))} / ${fmt.ms(percentile(load.latenciesMs, 99))}` },
        ],
        verdicts: [
          atMost(`p95 visible ≤ ${fmt.int(TARGET_P95_MS)} ms`, p95, TARGET_P95_MS, fmt.ms),
          atLeast(`sustains the offered ${fmt.perSecond(rate)} (≥ 98% answered 201)`, load.achievedRate, rate * 0.98, fmt.perSecond),
        ],
        failures,
      };
    } finally {
      sessions.close();
      journeys.close();
      await api.stop();
    }
  },
};

/** Watches probe sessions until each shows in its identifier's journey. */
class ProbePoller {
  private readonly pending = new Map<string, Map<string, number>>();
  private readonly visibleMs: number[] = [];
  private readonly errors: string[] = [];
  private invisible = 0;
  private finishing = false;
  private readonly loop: Promise<void>;

  constructor(private readonly journeys: HttpClient) {
    this.loop = this.run();
  }

  expect(identifier: string, sessionId: string, answeredAt: number): void {
    let sessions = this.pending.get(identifier);
    if (!sessions) this.pending.set(identifier, (sessions = new Map()));
    sessions.set(sessionId, answeredAt);
  }

  async finish(): Promise<{ visibleMs: number[]; invisible: number; errors: string[] }> {
    this.finishing = true;
    await this.loop;
    return { visibleMs: this.visibleMs, invisible: this.invisible, errors: this.errors };
  }

  private async run(): Promise<void> {
    while (!this.finishing || this.pending.size > 0) {
      const roundStarted = performance.now();
      await Promise.all([...this.pending.keys()].map((identifier) => this.poll(identifier)));
      await sleep(Math.max(0, POLL_EVERY_MS - (performance.now() - roundStarted)));
    }
  }

  private async poll(identifier: string): Promise<void> {
    const query = new URLSearchParams({ ...SEED_KEY, identifier }).toString();
    let answer;
    try {
      answer = await this.journeys.send('GET', `/v1/journeys?${query}`);
    } catch (error) {
      this.errors.push(`journey poll failed: ${error instanceof Error ? error.message : String(error)}`);
      this.pending.delete(identifier);
      return;
    }
    const seenAt = performance.now();
    const sessions = this.pending.get(identifier);
    if (!sessions) return;
    if (answer.status !== 200) {
      this.errors.push(`journey answered ${answer.status}: ${answer.body.slice(0, 200)}`);
      this.pending.delete(identifier);
      return;
    }
    for (const [sessionId, answeredAt] of sessions) {
      if (answer.body.includes(sessionId)) {
        this.visibleMs.push(seenAt - answeredAt);
        sessions.delete(sessionId);
      } else if (seenAt - answeredAt > GIVE_UP_AFTER_MS) {
        this.invisible += 1;
        sessions.delete(sessionId);
      }
    }
    if (sessions.size === 0) this.pending.delete(identifier);
  }
}
