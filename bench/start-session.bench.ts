import { join } from 'node:path';
import { ClosedLoopResult, closedLoop } from './load/closed-loop';
import { measured, startApiProcess } from './support/api-process';
import { Benchmark, BenchmarkRun, atLeastShare, fmt, formerTarget } from './support/benchmark';
import { CeilingRun, measureCeiling } from './support/ceiling';
import { countDurableSessions } from './support/embedded-data';
import { ProfileWindow } from './profile/cpu-profile';
import { readCpuSeconds } from './support/proc-status';
import { profileRequest, summariseProfile } from './support/profiles';
import { seedSessionBody, startSessionLoad } from './support/seed';

/** Issue 18: start-session reaches this share of the app's bare POST route (same body, same process, same run). */
const TARGET_SHARE_OF_CEILING = 0.6;
/** The absolute targets before issue 18, kept as reported figures. */
const FORMER_TARGET_RATE = 10_000;
const FORMER_TARGET_P99_MS = 20;

/**
 * Issue 17: users of a product start sessions again and again (a login per device, per
 * day); only the first start of each creates their key. `start-session-returning` draws
 * its users from this many, so that after the warm-up nearly every start is a returning
 * user's, where `start-session` makes every start a new user's (the worst case).
 */
const RETURNING_USERS = 5_000;

/**
 * POST /v1/sessions with the seed body at 50 connections against the embedded API, and
 * in the same server a bare route answering a constant, by GET and by POST with the
 * same body: the ceilings the HTTP stack alone allows here, so the ratio says how much
 * the session path itself costs.
 */
export const startSessionBenchmark: Benchmark = startSessionBenchmarkOf({
  name: 'start-session',
  title: 'Start session (embedded, durable 201)',
});

/** The same, with users who come back (RETURNING_USERS of them, in turn): the common case for per-user keys. */
export const startSessionReturningBenchmark: Benchmark = startSessionBenchmarkOf({
  name: 'start-session-returning',
  title: `Start session, ${RETURNING_USERS.toLocaleString('en-US')} returning users (embedded, durable 201)`,
  users: RETURNING_USERS,
});

function startSessionBenchmarkOf(variant: { name: string; title: string; users?: number }): Benchmark {
  return {
    name: variant.name,
    title: variant.title,
    layout: 'API in its own process (createApiApp, embedded: SQLite + in-process projector + chDB); autocannon in the runner process',
    async run(context): Promise<BenchmarkRun> {
      const load = startSessionLoad(context.quick);
      const dataDir = join(context.workDir, variant.name);
      const profile = profileRequest(context, variant.name);
      const api = await startApiProcess(dataDir, profile);
      const failures: string[] = [];
      let window: ProfileWindow | undefined;
      let getCeiling: CeilingRun;
      let postCeiling: CeilingRun;
      let s: ClosedLoopResult;
      let warmupOk: number;
      let cpuSeconds: number;
      try {
        const body = seedSessionBody();
        // Every request a new user, or the returning users in turn.
        const sessions = variant.users ? { bodies: Array.from({ length: variant.users }, (_, index) => seedSessionBody(`returning-user-${index}`)) } : { body };
        const ceilingLoad = { connections: load.connections, durationS: context.quick ? 3 : 10 };
        getCeiling = await measureCeiling(api, { method: 'GET' }, ceilingLoad, context.progress);
        postCeiling = await measureCeiling(api, { method: 'POST', body }, ceilingLoad, context.progress);
        const sessionsUrl = `${api.url}/v1/sessions`;
        const warmup = await closedLoop(
          { url: sessionsUrl, method: 'POST', ...sessions, connections: load.connections, durationS: load.warmupS, label: 'warm-up (POST /v1/sessions)' },
          context.progress,
        );
        warmupOk = warmup.ok;
        if (warmup.non2xx + warmup.errors > 0) failures.push(`warm-up: ${warmup.non2xx} non-2xx, ${warmup.errors} errors`);
        const cpuBefore = readCpuSeconds(api.pid);
        const run = await measured(api, () =>
          closedLoop(
            {
              url: sessionsUrl,
              method: 'POST',
              ...sessions,
              connections: load.connections,
              durationS: load.durationS,
              label: `${variant.name} (POST /v1/sessions)`,
            },
            context.progress,
          ),
        );
        cpuSeconds = readCpuSeconds(api.pid) - cpuBefore;
        s = run.value;
        window = run.window;
      } finally {
        await api.stop();
      }

      for (const [name, run] of [
        ['GET ceiling', getCeiling.result],
        ['POST ceiling', postCeiling.result],
        ['start-session', s],
      ] as const) {
        if (run.non2xx > 0) failures.push(`${name}: ${run.non2xx} non-2xx answers ${JSON.stringify(run.statusCodes)}`);
        if (run.errors > 0) failures.push(`${name}: ${run.errors} errors (${run.timeouts} timeouts)`);
      }
      // Every 201 must be durable: after the server stopped, the database holds at least
      // as many sessions (and their events) as 201s were counted (a request cut off at
      // the end of a run may have committed without its answer being counted).
      const durable = countDurableSessions(dataDir);
      const answered = warmupOk + s.ok;
      if (durable.sessions < answered || durable.events < answered) {
        failures.push(`only ${durable.sessions} sessions / ${durable.events} events durable for ${answered} answers 201`);
      }

      const ratio = s.okPerSecond / getCeiling.result.okPerSecond;
      const postRatio = s.okPerSecond / postCeiling.result.okPerSecond;
      return {
        figures: [
          { label: 'sessions/s (201)', value: fmt.perSecond(s.okPerSecond), key: true },
          { label: 'latency p50 / p97.5 / p99 / max', value: `${s.p50Ms} / ${s.p97_5Ms} / ${s.p99Ms} / ${s.maxMs} ms` },
          { label: '201s / non-2xx / errors', value: `${fmt.int(s.ok)} / ${s.non2xx} / ${s.errors}` },
          {
            label: 'durable after stop (sessions / events)',
            value: `${fmt.int(durable.sessions)} / ${fmt.int(durable.events)} for ${fmt.int(answered)} answered 201`,
          },
          {
            label: 'API process CPU per 201 (user + sys, all threads) / cores busy',
            value: `${((cpuSeconds * 1e6) / s.ok).toFixed(0)} µs / ${(cpuSeconds / s.durationS).toFixed(2)}`,
            key: true,
          },
          {
            label: 'ceiling: GET /bench/ceiling req/s, CPU per request',
            value: `${fmt.perSecond(getCeiling.result.okPerSecond)}, ${getCeiling.cpuUsPerRequest.toFixed(0)} µs`,
          },
          {
            label: 'ceiling: POST /bench/ceiling (seed body) req/s, CPU per request',
            value: `${fmt.perSecond(postCeiling.result.okPerSecond)}, ${postCeiling.cpuUsPerRequest.toFixed(0)} µs`,
            key: true,
          },
          {
            label: 'ceiling latency p50 / p99 (GET, POST)',
            value: `${getCeiling.result.p50Ms} / ${getCeiling.result.p99Ms} ms, ${postCeiling.result.p50Ms} / ${postCeiling.result.p99Ms} ms`,
          },
          { label: 'start-session / ceiling (GET, POST)', value: `${fmt.ratio(ratio)}, ${fmt.ratio(postRatio)}`, key: true },
          { label: 'load', value: `${load.connections} connections, ${s.durationS} s measured after ${load.warmupS} s warm-up` },
        ],
        verdicts: [
          atLeastShare(
            `≥ ${TARGET_SHARE_OF_CEILING} × the POST ceiling (same run)`,
            s.okPerSecond,
            postCeiling.result.okPerSecond,
            TARGET_SHARE_OF_CEILING,
            fmt.perSecond,
          ),
          formerTarget(`≥ ${fmt.int(FORMER_TARGET_RATE)} sessions/s`, s.okPerSecond, FORMER_TARGET_RATE, fmt.perSecond),
          formerTarget(`p99 ≤ ${FORMER_TARGET_P99_MS} ms`, s.p99Ms, FORMER_TARGET_P99_MS, fmt.ms),
        ],
        failures,
        profile: profile && summariseProfile(context, profile, window),
      };
    },
  };
}
