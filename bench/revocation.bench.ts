import { join } from 'node:path';
import { startDistributedStack } from '../test/support/distributed-stack';
import { HttpClient } from './load/http-client';
import { OpenLoopResult, openLoop } from './load/open-loop';
import { ApiProcess, startApiProcess } from './support/api-process';
import { Benchmark, BenchmarkRun, atMost, fmt, reported } from './support/benchmark';
import { SEED_KEY, seedSessionBody } from './support/seed';
import { percentile, sleep } from './support/stats';

/**
 * Issue 19's revocation promise in distributed mode: "a session revoked on one instance
 * is refused by every other instance within N ms". The published N (docs/security.md)
 * is this p99 target; the resync every second (RedisSessionStore) bounds it when the
 * pub/sub message is lost.
 */
const TARGET_P99_MS = 50;
const VERIFY_RATE = 1_000;
const BACKGROUND_SESSIONS = 50;
/** A probe gives up here: far past the resync, so a miss shows as a number, not a hang. */
const GIVE_UP_AFTER_MS = 5_000;

interface Session {
  sessionId: string;
  token: string;
}

interface ProbeResults {
  /** Revoke's answer → the other instance's first refusing answer received, per probe. */
  crossInstanceMs: number[];
  /** Probes whose first verify on the revoking instance itself, sent after revoke answered, still passed. */
  sameInstanceLate: number;
  gaveUp: number;
}

async function startSession(client: HttpClient, userId: string): Promise<Session> {
  const answer = await client.send('POST', '/v1/sessions', seedSessionBody(userId));
  if (answer.status !== 201) throw new Error(`could not start a session: ${answer.status} ${answer.body}`);
  const { sessionId, token } = JSON.parse(answer.body) as Session;
  return { sessionId, token };
}

async function verifyAnswer(client: HttpClient, token: string): Promise<{ valid: boolean; reason?: string }> {
  const answer = await client.send('POST', '/v1/sessions/verify', JSON.stringify({ ...SEED_KEY, token }));
  if (answer.status !== 200) throw new Error(`verify answered ${answer.status}: ${answer.body}`);
  return JSON.parse(answer.body) as { valid: boolean; reason?: string };
}

/**
 * One probe: revoke on `revoking`, then ask `other` back to back (one request in flight)
 * until it refuses with `revoked`. The time ends when the refusing answer arrives, so
 * it includes one round trip: an upper bound of the propagation.
 */
async function probe(session: Session, revoking: HttpClient, other: HttpClient, results: ProbeResults): Promise<void> {
  const revoked = await revoking.send('POST', '/v1/sessions/revoke', JSON.stringify({ ...SEED_KEY, sessionId: session.sessionId }));
  const answeredAt = performance.now();
  if (revoked.status !== 200) throw new Error(`revoke answered ${revoked.status}: ${revoked.body}`);
  const [sameInstance] = await Promise.all([verifyAnswer(revoking, session.token), waitForRefusal(session, other, answeredAt, results)]);
  if (sameInstance.valid) results.sameInstanceLate += 1;
}

async function waitForRefusal(session: Session, other: HttpClient, answeredAt: number, results: ProbeResults): Promise<void> {
  for (;;) {
    const answer = await verifyAnswer(other, session.token);
    const elapsed = performance.now() - answeredAt;
    if (!answer.valid && answer.reason === 'revoked') {
      results.crossInstanceMs.push(elapsed);
      return;
    }
    if (!answer.valid) throw new Error(`the other instance refused for ${answer.reason}, not revoked`);
    if (elapsed > GIVE_UP_AFTER_MS) {
      results.gaveUp += 1;
      return;
    }
  }
}

/**
 * Two API instances on one Redis (and Kafka, ClickHouse), 1,000 verifies/s spread over
 * both from an open loop, and meanwhile sessions revoked one after another, alternately
 * on each instance, each followed at once by verifies on the other one.
 */
export const revocationBenchmark: Benchmark = {
  name: 'revocation',
  title: 'Revocation propagation across API instances (distributed, under verify load)',
  layout: 'two API processes (distributed) + Kafka mock, Redis, ClickHouse front processes; open-loop verifier and probes in the runner process',
  async run(context): Promise<BenchmarkRun> {
    const probes = context.quick ? 40 : 300;
    const durationS = context.quick ? 6 : 30;
    const stack = await startDistributedStack();
    const apis: ApiProcess[] = [];
    const clients: HttpClient[] = [];
    const failures: string[] = [];
    const results: ProbeResults = { crossInstanceMs: [], sameInstanceLate: 0, gaveUp: 0 };
    let load: OpenLoopResult | undefined;
    try {
      for (const name of ['a', 'b']) apis.push(await startApiProcess(join(context.workDir, `revocation-${name}`), undefined, stack.env));
      const background = apis.map((api) => new HttpClient(api.url, 64));
      const probing = apis.map((api) => new HttpClient(api.url, 4));
      clients.push(...background, ...probing);
      context.progress.update(`starting ${BACKGROUND_SESSIONS + probes} sessions`);
      const kept = await Promise.all(Array.from({ length: BACKGROUND_SESSIONS }, (_, i) => startSession(probing[i % 2], `revocation-kept-${i}`)));
      const doomed: Session[] = [];
      for (let i = 0; i < probes; i += 1) doomed.push(await startSession(probing[i % 2], `revocation-probe-${i}`));

      // The verifies every instance serves meanwhile, all of sessions nobody revokes.
      const loadDone = openLoop(
        {
          rate: VERIFY_RATE,
          durationS,
          maxInFlight: 128,
          label: 'verify load on both instances',
          send: async (index) => (await verifyAnswer(background[index % 2], kept[index % kept.length].token)).valid,
        },
        context.progress,
      );
      const probing$ = (async () => {
        await sleep(1_000);
        const gapMs = ((durationS - 2) * 1000) / probes;
        for (let i = 0; i < probes; i += 1) {
          const started = performance.now();
          await probe(doomed[i], probing[i % 2], probing[(i + 1) % 2], results);
          await sleep(Math.max(0, gapMs - (performance.now() - started)));
        }
      })();
      [load] = await Promise.all([loadDone, probing$]);
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    } finally {
      for (const client of clients) client.close();
      for (const api of apis) await api.stop().catch((error: unknown) => failures.push(String(error)));
      await stack.stop();
    }
    if (load && load.failed + load.dropped > 0) failures.push(`verify load: ${load.failed} failed, ${load.dropped} dropped ${load.failures.join('; ')}`);
    if (results.gaveUp > 0) failures.push(`${results.gaveUp} revocations never reached the other instance within ${GIVE_UP_AFTER_MS} ms`);
    if (results.sameInstanceLate > 0) failures.push(`${results.sameInstanceLate} tokens still passed on the revoking instance after revoke answered`);
    const p99 = percentile(results.crossInstanceMs, 99);
    return {
      figures: [
        {
          label: 'other instance refuses after revoke answered: p50 / p99 / max',
          value: `${fmt.ms(percentile(results.crossInstanceMs, 50))} / ${fmt.ms(p99)} / ${fmt.ms(Math.max(...results.crossInstanceMs))}`,
          key: true,
        },
        { label: 'probes (revocations measured)', value: `${results.crossInstanceMs.length} of ${probes}` },
        { label: 'revoking instance: first verify after the answer refused', value: `${probes - results.sameInstanceLate} of ${probes}` },
        { label: 'verify load achieved', value: load ? `${fmt.perSecond(load.achievedRate)} (offered ${fmt.int(VERIFY_RATE)}/s for ${durationS} s)` : 'n/a' },
        { label: 'verify latency p99 under load', value: load ? fmt.ms(percentile(load.latenciesMs, 99)) : 'n/a' },
      ],
      verdicts: [
        atMost(`revocation seen by the other instance, p99 ≤ ${TARGET_P99_MS} ms`, p99, TARGET_P99_MS, fmt.ms),
        reported('revoking instance', 'immediate (every first verify after the answer refused)'),
      ],
      failures,
    };
  },
};
