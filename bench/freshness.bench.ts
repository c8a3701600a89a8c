import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { closedLoop } from './load/closed-loop';
import { HttpClient } from './load/http-client';
import { openLoop } from './load/open-loop';
import { startApiProcess } from './support/api-process';
import { Benchmark, BenchmarkRun, Figure, atLeast, atMost, fmt } from './support/benchmark';
import { Progress } from './support/progress';
import { SEED_KEY, seedSessionBody, startSessionLoad } from './support/seed';
import { percentile, sleep } from './support/stats';

const TARGET_RATE = 5_000;
const TARGET_P95_MS = 1_000;
const PROBES_PER_SECOND = 10;
const POLL_EVERY_MS = 20;
const POLLS_PER_SECOND = 50;
const REFERENCE_RATE = 1_000;
// Long enough that an overloaded run still reports how late sessions showed up.
const GIVE_UP_AFTER_MS = 60_000;

/**
 * How long after its 201 a session shows in GET /v1/journeys, while sessions arrive at
 * a steady rate (open loop). Ten sessions a second are probes; the probes of one second
 * share an identifier of their own, and one poller asks for each identifier that still
 * has an unseen probe every 20 ms, within 50 polls a second in all, so polling stays a
 * small, bounded load whatever the lag (a poller per probe would load the very server
 * it measures).
 * The figure is an upper bound: it ends when the answer that shows the session arrives.
 */
export const freshnessBenchmark: Benchmark = {
  name: 'freshness',
  title: 'Freshness: 201 → visible in the journey endpoint',
  layout: 'API in its own process (in-process projector); open-loop sender and journey pollers in the runner process',
  async run(context): Promise<BenchmarkRun> {
    // First a rate this 2-core machine sustains (how fresh the read model is when the
    // API keeps up), then the target rate, which decides the verdict.
    const phases = context.quick
      ? [{ rate: 1_000, durationS: 5 }]
      : [
          { rate: REFERENCE_RATE, durationS: 10 },
          { rate: TARGET_RATE, durationS: 20 },
        ];
    const api = await startApiProcess(join(context.workDir, 'freshness'));
    const sessions = new HttpClient(api.url, 256);
    const journeys = new HttpClient(api.url, 32);
    const failures: string[] = [];
    const figures: Figure[] = [];
    let judged: PhaseResult | undefined;
    try {
      // Warm the server (JIT, caches) first, as the start-session benchmark does.
      const warmup = await closedLoop(
        {
          url: `${api.url}/v1/sessions`,
          method: 'POST',
          body: seedSessionBody(),
          connections: 50,
          durationS: startSessionLoad(context.quick).warmupS,
          label: 'warm-up',
        },
        context.progress,
      );
      if (warmup.non2xx + warmup.errors > 0) failures.push(`warm-up: ${warmup.non2xx} non-2xx, ${warmup.errors} errors`);
      for (const phase of phases) {
        judged = await runPhase(phase.rate, phase.durationS, sessions, journeys, context.progress);
        failures.push(...judged.failures);
        const at = `at ${fmt.perSecond(phase.rate)}`;
        figures.push(
          { label: `${at}: visible after 201 p50 / p95 / max`, value: `${fmt.ms(judged.p50)} / ${fmt.ms(judged.p95)} / ${fmt.ms(judged.max)}` },
          { label: `${at}: probes visible / sent, journey polls/s`, value: `${judged.visible} / ${judged.probes}, ${judged.pollsPerSecond.toFixed(0)}` },
          {
            label: `${at}: achieved over ${phase.durationS} s / dropped (> 2,000 in flight)`,
            value: `${fmt.perSecond(judged.achievedRate)} / ${fmt.int(judged.dropped)}`,
          },
          { label: `${at}: 201 latency from schedule p50 / p99`, value: `${fmt.ms(judged.latencyP50)} / ${fmt.ms(judged.latencyP99)}` },
        );
      }
    } finally {
      sessions.close();
      journeys.close();
      await api.stop();
    }
    const target = judged as PhaseResult;
    return {
      figures,
      verdicts: [
        atMost(`p95 visible ≤ ${fmt.int(TARGET_P95_MS)} ms at ${fmt.perSecond(target.rate)}`, target.p95, TARGET_P95_MS, fmt.ms),
        atLeast(`sustains ${fmt.perSecond(target.rate)} offered (≥ 98% answered 201)`, target.achievedRate, target.rate * 0.98, fmt.perSecond),
      ],
      failures,
    };
  },
};

export interface PhaseResult {
  rate: number;
  p50: number;
  p95: number;
  max: number;
  probes: number;
  visible: number;
  achievedRate: number;
  dropped: number;
  latencyP50: number;
  latencyP99: number;
  pollsPerSecond: number;
  failures: string[];
}

/** Offers `rate` sessions/s for `durationS`, then waits until every probe is visible (or given up). */
export async function runPhase(rate: number, durationS: number, sessions: HttpClient, journeys: HttpClient, progress: Progress): Promise<PhaseResult> {
  const run = randomUUID().slice(0, 8);
  const probeEvery = Math.max(1, Math.round(rate / PROBES_PER_SECOND));
  const poller = new ProbePoller(journeys);
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
    progress,
  );
  progress.note(`waiting for the last probes at ${fmt.perSecond(rate)} to become visible`);
  const probes = await poller.finish();
  const failures = [...probes.errors];
  if (load.failed > 0) failures.push(`${load.failed} start-session requests failed: ${load.failures.join('; ')}`);
  if (probes.invisible > 0) failures.push(`${probes.invisible} probe sessions not visible within ${GIVE_UP_AFTER_MS} ms`);
  return {
    rate,
    p50: percentile(probes.visibleMs, 50),
    p95: percentile(probes.visibleMs, 95),
    max: Math.max(...probes.visibleMs),
    probes: probes.visibleMs.length + probes.invisible,
    visible: probes.visibleMs.length,
    achievedRate: load.achievedRate,
    dropped: load.dropped,
    latencyP50: percentile(load.latenciesMs, 50),
    latencyP99: percentile(load.latenciesMs, 99),
    pollsPerSecond: probes.pollsPerSecond,
    failures,
  };
}

/** Watches probe sessions until each shows in its identifier's journey. */
class ProbePoller {
  private readonly pending = new Map<string, Map<string, number>>();
  private readonly visibleMs: number[] = [];
  private readonly errors: string[] = [];
  private invisible = 0;
  private polls = 0;
  private finishing = false;
  private readonly startedAt = performance.now();
  private readonly loop: Promise<void>;

  constructor(private readonly journeys: HttpClient) {
    this.loop = this.run();
  }

  expect(identifier: string, sessionId: string, answeredAt: number): void {
    let sessions = this.pending.get(identifier);
    if (!sessions) this.pending.set(identifier, (sessions = new Map()));
    sessions.set(sessionId, answeredAt);
  }

  async finish(): Promise<{ visibleMs: number[]; invisible: number; errors: string[]; pollsPerSecond: number }> {
    this.finishing = true;
    await this.loop;
    const pollsPerSecond = (this.polls * 1000) / (performance.now() - this.startedAt);
    return { visibleMs: this.visibleMs, invisible: this.invisible, errors: this.errors, pollsPerSecond };
  }

  private async run(): Promise<void> {
    while (!this.finishing || this.pending.size > 0) {
      const roundStarted = performance.now();
      const identifiers = [...this.pending.keys()];
      await Promise.all(identifiers.map((identifier) => this.poll(identifier)));
      this.polls += identifiers.length;
      // At most one poll per identifier every POLL_EVERY_MS and POLLS_PER_SECOND in all:
      // when the read model lags and identifiers pile up, rounds slow down (coarser
      // figures) instead of the polling adding load to the server that is behind.
      const roundMs = Math.max(POLL_EVERY_MS, (identifiers.length * 1000) / POLLS_PER_SECOND);
      await sleep(Math.max(0, roundMs - (performance.now() - roundStarted)));
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
