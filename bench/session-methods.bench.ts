import { join } from 'node:path';
import { closedLoop } from './load/closed-loop';
import { RollingRefreshResult, rollingRefresh } from './load/rolling-refresh';
import { measured, startApiProcess } from './support/api-process';
import { Benchmark, BenchmarkRun, atLeast, fmt, reported } from './support/benchmark';
import { CeilingRun, measureCeiling } from './support/ceiling';
import { readCpuSeconds } from './support/proc-status';
import { profileRequest, summariseProfile } from './support/profiles';
import { SEED_KEY, seedSessionBody, startSessionLoad } from './support/seed';

const VERIFY_TARGET = 20_000;
const REFRESH_TARGET = 5_000;

async function startSession(url: string, userId: string): Promise<{ token: string; refreshToken: string }> {
  const response = await fetch(`${url}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: seedSessionBody(userId) });
  if (response.status !== 201) throw new Error(`could not start a session: ${response.status} ${await response.text()}`);
  return (await response.json()) as { token: string; refreshToken: string };
}

/**
 * POST /v1/sessions/verify with one valid token at 50 connections: the path that must
 * not touch the store (token decryption + the in-memory revocation list).
 */
export const verifyBenchmark: Benchmark = {
  name: 'verify',
  title: 'Verify a session token (embedded)',
  layout: 'API in its own process (embedded); autocannon in the runner process',
  async run(context): Promise<BenchmarkRun> {
    const load = startSessionLoad(context.quick);
    const profile = profileRequest(context, 'verify');
    const api = await startApiProcess(join(context.workDir, 'verify'), profile);
    const failures: string[] = [];
    let run: Awaited<ReturnType<typeof closedLoop>>;
    let ceiling: CeilingRun;
    let window;
    let cpuSeconds = 0;
    try {
      const session = await startSession(api.url, 'verify-bench');
      const body = JSON.stringify({ ...SEED_KEY, token: session.token });
      // The floor under any POST here: the bare route fed the same body.
      await measureCeiling(api, { method: 'POST', body }, { connections: load.connections, durationS: load.warmupS }, context.progress);
      ceiling = await measureCeiling(api, { method: 'POST', body }, { connections: load.connections, durationS: context.quick ? 3 : 10 }, context.progress);
      await closedLoop({ url: `${api.url}/v1/sessions/verify`, method: 'POST', body, connections: load.connections, durationS: load.warmupS, label: 'warm-up (verify)' }, context.progress);
      const cpuBefore = readCpuSeconds(api.pid);
      ({ value: run, window } = await measured(api, () =>
        closedLoop({ url: `${api.url}/v1/sessions/verify`, method: 'POST', body, connections: load.connections, durationS: load.durationS, label: 'verify' }, context.progress),
      ));
      cpuSeconds = readCpuSeconds(api.pid) - cpuBefore;
    } finally {
      await api.stop();
    }
    if (run.non2xx > 0 || run.errors > 0) failures.push(`verify: ${run.non2xx} non-2xx, ${run.errors} errors`);
    if (ceiling.result.non2xx > 0 || ceiling.result.errors > 0) failures.push(`ceiling: ${ceiling.result.non2xx} non-2xx, ${ceiling.result.errors} errors`);
    const perRequestUs = (seconds: number, answers: number) => `${((seconds * 1e6) / answers).toFixed(0)} µs`;
    return {
      figures: [
        { label: 'verifies/s', value: fmt.perSecond(run.okPerSecond) },
        { label: 'latency p50 / p99 / max', value: `${run.p50Ms} / ${run.p99Ms} / ${run.maxMs} ms` },
        { label: 'API process CPU per verify', value: perRequestUs(cpuSeconds, run.ok) },
        { label: 'ceiling: bare POST /bench/ceiling, same body, req/s', value: fmt.perSecond(ceiling.result.okPerSecond) },
        { label: 'ceiling: API process CPU per bare POST', value: `${ceiling.cpuUsPerRequest.toFixed(0)} µs` },
        { label: 'verify / ceiling', value: fmt.ratio(run.okPerSecond / ceiling.result.okPerSecond) },
        { label: 'load', value: `${load.connections} connections, ${run.durationS} s after ${load.warmupS} s warm-up` },
      ],
      verdicts: [atLeast(`≥ ${fmt.int(VERIFY_TARGET)} verifies/s`, run.okPerSecond, VERIFY_TARGET, fmt.perSecond), reported('p99', fmt.ms(run.p99Ms))],
      failures,
      profile: profile && summariseProfile(context, profile, window),
    };
  },
};

/**
 * Rolling refreshes: each of 50 connections owns a session and always presents the
 * refresh token its previous answer gave it, so every request is a real rotation
 * (compare-and-set, SessionRefreshed event, two tokens minted, answer sealed).
 */
export const refreshBenchmark: Benchmark = {
  name: 'refresh',
  title: 'Refresh with rotation (embedded, durable)',
  layout: 'API in its own process (embedded); autocannon in the runner process',
  async run(context): Promise<BenchmarkRun> {
    const load = startSessionLoad(context.quick);
    const profile = profileRequest(context, 'refresh');
    const api = await startApiProcess(join(context.workDir, 'refresh'), profile);
    const failures: string[] = [];
    let run: RollingRefreshResult;
    let window;
    let cpuSeconds = 0;
    try {
      const pool = await Promise.all(Array.from({ length: load.connections }, (_, i) => startSession(api.url, `refresh-bench-${i}`)));
      const cpuBefore = readCpuSeconds(api.pid);
      ({ value: run, window } = await measured(api, () =>
        rollingRefresh(`${api.url}/v1/sessions/refresh`, (refreshToken) => JSON.stringify({ ...SEED_KEY, refreshToken }), pool.map((session) => session.refreshToken), load.durationS, context.progress),
      ));
      cpuSeconds = readCpuSeconds(api.pid) - cpuBefore;
    } finally {
      await api.stop();
    }
    if (run.non2xx > 0 || run.errors > 0) failures.push(`refresh: ${run.non2xx} non-2xx ${JSON.stringify(run.statusCodes)}, ${run.errors} errors`);
    return {
      figures: [
        { label: 'refreshes/s', value: fmt.perSecond(run.okPerSecond) },
        { label: 'latency p50 / p99 / max', value: `${run.p50Ms} / ${run.p99Ms} / ${run.maxMs} ms` },
        { label: 'API process CPU per refresh', value: `${((cpuSeconds * 1e6) / Math.max(1, run.ok)).toFixed(0)} µs` },
        { label: 'load', value: `${load.connections} connections, each rotating its own session, ${run.durationS} s` },
      ],
      verdicts: [atLeast(`≥ ${fmt.int(REFRESH_TARGET)} refreshes/s`, run.okPerSecond, REFRESH_TARGET, fmt.perSecond), reported('p99', fmt.ms(run.p99Ms))],
      failures,
      profile: profile && summariseProfile(context, profile, window),
    };
  },
};

const ACTIVITY_TARGET = 50_000;
const ACTIVITY_BATCH = 500;

/**
 * POST /v1/sessions/activity with 500 records per request (the batch endpoint's maximum)
 * at 50 connections, one valid session token: events/s is 500 × requests/s, each request
 * durable (one group commit of 500 SessionActivityRecorded events) before its 201.
 */
export const activityBenchmark: Benchmark = {
  name: 'activity',
  title: 'Activity ingest through the batch endpoint (embedded, durable)',
  layout: 'API in its own process (embedded, projector in process); autocannon in the runner process',
  async run(context): Promise<BenchmarkRun> {
    const load = startSessionLoad(context.quick);
    const connections = 10;
    const profile = profileRequest(context, 'activity');
    const api = await startApiProcess(join(context.workDir, 'activity'), profile);
    const failures: string[] = [];
    let run: Awaited<ReturnType<typeof closedLoop>>;
    let window;
    let cpuSeconds = 0;
    try {
      const session = await startSession(api.url, 'activity-bench');
      const records = Array.from({ length: ACTIVITY_BATCH }, (_, i) => ({ name: ['home', 'search', 'product', 'cart', 'checkout', 'pay'][i % 6], status: i % 25 === 0 ? 'error' : 'success', latencyMs: 5 + (i % 90), processId: 'bench' }));
      const body = JSON.stringify({ ...SEED_KEY, token: session.token, records });
      const cpuBefore = readCpuSeconds(api.pid);
      ({ value: run, window } = await measured(api, () =>
        closedLoop({ url: `${api.url}/v1/sessions/activity`, method: 'POST', body, connections, durationS: load.durationS, label: 'activity (500 records per request)' }, context.progress),
      ));
      cpuSeconds = readCpuSeconds(api.pid) - cpuBefore;
    } finally {
      await api.stop();
    }
    if (run.non2xx > 0 || run.errors > 0) failures.push(`activity: ${run.non2xx} non-2xx ${JSON.stringify(run.statusCodes)}, ${run.errors} errors`);
    const eventsPerSecond = run.okPerSecond * ACTIVITY_BATCH;
    return {
      figures: [
        { label: 'activity events/s (500 per request)', value: fmt.perSecond(eventsPerSecond) },
        { label: 'requests/s', value: fmt.perSecond(run.okPerSecond) },
        { label: 'latency p50 / p99 / max', value: `${run.p50Ms} / ${run.p99Ms} / ${run.maxMs} ms` },
        { label: 'API process CPU per event', value: `${((cpuSeconds * 1e6) / Math.max(1, run.ok * ACTIVITY_BATCH)).toFixed(1)} µs` },
        { label: 'load', value: `${connections} connections, ${run.durationS} s` },
      ],
      verdicts: [atLeast(`≥ ${fmt.int(ACTIVITY_TARGET)} events/s`, eventsPerSecond, ACTIVITY_TARGET, fmt.perSecond)],
      failures,
      profile: profile && summariseProfile(context, profile, window),
    };
  },
};
