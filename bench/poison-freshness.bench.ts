import Database from 'better-sqlite3';
import { join } from 'node:path';
import { runPhase } from './freshness.bench';
import { closedLoop } from './load/closed-loop';
import { HttpClient } from './load/http-client';
import { startApiProcess } from './support/api-process';
import { Benchmark, BenchmarkRun, Figure, atMost, fmt, reported } from './support/benchmark';
import { poisonEvent } from './support/poison-events';
import { seedSessionBody, startSessionLoad } from './support/seed';
import { syntheticSessionStarts } from './support/synthetic-events';

const POISON_EVERY = 10_000;
const TARGET_P95_MS = 1_000;
const RATE = 1_000;

/**
 * The freshness benchmark's measure (201 → visible in GET /v1/journeys, probes polled,
 * open-loop sessions) with poison in the log: while sessions arrive, one event in
 * 10,000 is written straight into the API's SQLite log (from this process, as another
 * writer would) with a value ClickHouse refuses, so the in-process projector has to
 * bisect the batch it lands in. The healthy sessions' p95 must stay within the target.
 * The poison cannot come through the API: its edge refuses such values. The same measure
 * without poison runs first on the same API, for comparison. At 1,000 sessions/s, the
 * rate this 2-core machine sustains (the freshness benchmark's reference phase).
 */
export const poisonFreshnessBenchmark: Benchmark = {
  name: 'poison-freshness',
  title: 'Freshness with 1 poison event per 10,000 in the log (embedded)',
  layout:
    "API in its own process (in-process projector); open-loop sender, journey pollers and the poison writer (a second SQLite connection to the API's log) in the runner process",
  async run(context): Promise<BenchmarkRun> {
    const durationS = context.quick ? 10 : 40;
    const dataDir = join(context.workDir, 'poison-freshness');
    const api = await startApiProcess(dataDir);
    const sessions = new HttpClient(api.url, 256);
    const journeys = new HttpClient(api.url, 32);
    const log = new Database(join(dataDir, 'waymark.db'));
    log.pragma('busy_timeout = 5000');
    const insert = log.prepare('INSERT INTO events (event_id, type, occurred_at, product, env, tag, identifier, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const failures: string[] = [];
    const figures: Figure[] = [];
    let written = 0;
    try {
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
      // The same measure without poison first, in the same API process: on a shared
      // machine only figures taken side by side say what the poison costs.
      const clean = await runPhase(RATE, durationS, sessions, journeys, context.progress);
      failures.push(...clean.failures);
      const poisons = await syntheticSessionStarts(Math.ceil((RATE * durationS) / POISON_EVERY) + 1, 10, RATE);
      // One poison per POISON_EVERY sessions offered, at the offered rate; the first half-way into the first interval.
      const intervalMs = (POISON_EVERY * 1000) / RATE;
      const writePoison = () => {
        const event = poisonEvent({ ...poisons.next(1)[0], occurredAt: new Date().toISOString() });
        insert.run(event.id, event.type, Date.parse(event.occurredAt), event.product, event.env, event.tag, event.identifier, JSON.stringify(event));
        written += 1;
      };
      let timer: NodeJS.Timeout | undefined;
      const first = setTimeout(() => {
        writePoison();
        timer = setInterval(writePoison, intervalMs);
      }, intervalMs / 2);
      let phase;
      try {
        phase = await runPhase(RATE, durationS, sessions, journeys, context.progress);
      } finally {
        clearTimeout(first);
        clearInterval(timer);
      }
      failures.push(...phase.failures);
      const letters = log.prepare("SELECT count(*) FROM dead_letters WHERE reason LIKE 'refused by ClickHouse:%'").pluck().get() as number;
      if (letters !== written) failures.push(`${written} poison events written, ${letters} dead-lettered by ClickHouse's refusal`);
      for (const [label, result] of [
        ['no poison', clean],
        [`1 poison per ${fmt.int(POISON_EVERY)}`, phase],
      ] as const) {
        figures.push(
          {
            label: `${label}, ${fmt.perSecond(RATE)} offered: visible after 201 p50 / p95 / max`,
            value: `${fmt.ms(result.p50)} / ${fmt.ms(result.p95)} / ${fmt.ms(result.max)}`,
          },
          {
            label: `${label}: probes visible / sent, achieved over ${durationS} s`,
            value: `${result.visible} / ${result.probes}, ${fmt.perSecond(result.achievedRate)}`,
          },
        );
      }
      figures.push({ label: 'poison events written / dead-lettered (refused by ClickHouse)', value: `${written} / ${letters}` });
      return {
        figures,
        verdicts: [
          atMost(`healthy p95 visible ≤ ${fmt.int(TARGET_P95_MS)} ms with 1 poison per ${fmt.int(POISON_EVERY)}`, phase.p95, TARGET_P95_MS, fmt.ms),
          reported('healthy p95 visible without poison, same run', fmt.ms(clean.p95)),
        ],
        failures,
      };
    } finally {
      log.close();
      sessions.close();
      journeys.close();
      await api.stop();
    }
  },
};
