import { KafkaEventLog } from '@waymark/event-log';
import { join } from 'node:path';
import { DistributedStack, TEST_PARTITIONS, TEST_TOPIC, startDistributedStack } from '../test/support/distributed-stack';
import { kafkaTestOptions, recordingLogger } from '../test/support/kafka-broker';
import { ClosedLoopResult, closedLoop } from './load/closed-loop';
import { ProfileWindow } from './profile/cpu-profile';
import { ApiProcess, measured, startApiProcess } from './support/api-process';
import { Benchmark, BenchmarkContext, BenchmarkRun, Figure, atLeast, atMost, fmt } from './support/benchmark';
import { countDurableSessions } from './support/embedded-data';
import { readCpuSeconds } from './support/proc-status';
import { profileRequest, summariseProfile } from './support/profiles';
import { seedSessionBody, startSessionLoad } from './support/seed';
import { ProfileRequest } from './support/ts-process';

const TARGET_RATE = 10_000;
const TARGET_P99_MS = 30;

interface ModeResult {
  warmup: ClosedLoopResult;
  run: ClosedLoopResult;
  cpuSeconds: number;
  window: ProfileWindow;
}

/**
 * The shipped API (bench/processes/api-server.ts, createApiApp configured from the
 * environment like main.ts) in distributed mode: KAFKA_BROKERS, CLICKHOUSE_URL and
 * REDIS_URL point at the test stack, so the API appends to Kafka and keeps sessions in
 * Redis; it runs no projector (that is apps/projector's job in this mode).
 */
export function startDistributedApiProcess(stack: DistributedStack, dataDir: string, profile?: ProfileRequest): Promise<ApiProcess> {
  return startApiProcess(dataDir, profile, stack.env);
}

/** Warm-up, then the measured closed loop, as the start-session benchmark runs them. */
async function loadStartSession(api: ApiProcess, context: BenchmarkContext, mode: string): Promise<ModeResult> {
  const load = startSessionLoad(context.quick);
  const body = seedSessionBody();
  const url = `${api.url}/v1/sessions`;
  const warmup = await closedLoop(
    { url, method: 'POST', body, connections: load.connections, durationS: load.warmupS, label: `${mode} warm-up (POST /v1/sessions)` },
    context.progress,
  );
  const cpuBefore = readCpuSeconds(api.pid);
  const { value: run, window } = await measured(api, () =>
    closedLoop(
      { url, method: 'POST', body, connections: load.connections, durationS: load.durationS, label: `${mode} start-session (POST /v1/sessions)` },
      context.progress,
    ),
  );
  return { warmup, run, cpuSeconds: readCpuSeconds(api.pid) - cpuBefore, window };
}

function answerFailures(mode: string, result: ModeResult): string[] {
  const failures: string[] = [];
  for (const [name, run] of [
    ['warm-up', result.warmup],
    ['measured', result.run],
  ] as const) {
    if (run.non2xx > 0) failures.push(`${mode} ${name}: ${run.non2xx} non-2xx answers ${JSON.stringify(run.statusCodes)}`);
    if (run.errors > 0) failures.push(`${mode} ${name}: ${run.errors} errors (${run.timeouts} timeouts)`);
  }
  return failures;
}

/** Records in the event topic, all partitions: every 201 must have one (appended before it answered). */
async function recordsInTopic(stack: DistributedStack): Promise<number> {
  const log = new KafkaEventLog(kafkaTestOptions(stack.broker.brokers, TEST_TOPIC, TEST_PARTITIONS), recordingLogger());
  try {
    // A group that never committed: its lag is every record in the topic.
    return (await log.describeLag('bench-nobody')).total;
  } finally {
    await log.close();
  }
}

function modeFigures(mode: string, result: ModeResult): Figure[] {
  const { run, cpuSeconds } = result;
  return [
    { label: `${mode}: sessions/s (201)`, value: fmt.perSecond(run.okPerSecond) },
    { label: `${mode}: latency p50 / p97.5 / p99 / max`, value: `${run.p50Ms} / ${run.p97_5Ms} / ${run.p99Ms} / ${run.maxMs} ms` },
    { label: `${mode}: 201s / non-2xx / errors`, value: `${fmt.int(run.ok)} / ${run.non2xx} / ${run.errors}` },
    {
      label: `${mode}: API process CPU per 201 / cores busy`,
      value: `${((cpuSeconds * 1e6) / Math.max(1, run.ok)).toFixed(0)} µs / ${(cpuSeconds / run.durationS).toFixed(2)}`,
    },
  ];
}

/**
 * POST /v1/sessions at 50 connections through Kafka (distributed mode: the API process
 * appends to librdkafka's mock broker and keeps sessions in the private Redis), and, in
 * the same run, the same load against the embedded API, so the two figures sit side by
 * side under the same machine load. The CPU profile (--profile) is of the Kafka API.
 */
export const kafkaStartSessionBenchmark: Benchmark = {
  name: 'kafka-start-session',
  title: 'Start session through Kafka (distributed) beside embedded',
  layout:
    'embedded API in its own process, then the distributed API in its own process (KAFKA_BROKERS: librdkafka mock broker, 1 broker, 4 partitions; REDIS_URL: private redis-server; CLICKHOUSE_URL: the test HTTP front on chDB, unused by start-session); autocannon in the runner process',
  async run(context): Promise<BenchmarkRun> {
    const failures: string[] = [];

    const embeddedDir = join(context.workDir, 'embedded');
    const embeddedApi = await startApiProcess(embeddedDir);
    let embedded: ModeResult;
    try {
      embedded = await loadStartSession(embeddedApi, context, 'embedded');
    } finally {
      await embeddedApi.stop();
    }
    failures.push(...answerFailures('embedded', embedded));
    const durable = countDurableSessions(embeddedDir);
    const embeddedAnswered = embedded.warmup.ok + embedded.run.ok;
    if (durable.sessions < embeddedAnswered) failures.push(`embedded: only ${durable.sessions} sessions durable for ${embeddedAnswered} answers 201`);

    context.progress.note('kafka-start-session: starting the mock broker, Redis and the ClickHouse front');
    const stack = await startDistributedStack();
    const profile = profileRequest(context, 'kafka-start-session');
    let kafka: ModeResult;
    let records: number;
    try {
      const api = await startDistributedApiProcess(stack, join(context.workDir, 'kafka'), profile);
      try {
        kafka = await loadStartSession(api, context, 'kafka');
      } finally {
        await api.stop();
      }
      records = await recordsInTopic(stack);
    } finally {
      await stack.stop();
    }
    failures.push(...answerFailures('kafka', kafka));
    const kafkaAnswered = kafka.warmup.ok + kafka.run.ok;
    if (records < kafkaAnswered) failures.push(`kafka: only ${records} records in the topic for ${kafkaAnswered} answers 201`);

    const load = startSessionLoad(context.quick);
    return {
      figures: [
        ...modeFigures('kafka', kafka),
        { label: 'kafka: records in the topic after stop', value: `${fmt.int(records)} for ${fmt.int(kafkaAnswered)} answered 201` },
        ...modeFigures('embedded', embedded),
        { label: 'kafka / embedded sessions/s', value: fmt.ratio(kafka.run.okPerSecond / embedded.run.okPerSecond) },
        { label: 'load (each mode)', value: `${load.connections} connections, ${kafka.run.durationS} s measured after ${load.warmupS} s warm-up` },
      ],
      verdicts: [
        atLeast(`kafka ≥ ${fmt.int(TARGET_RATE)} sessions/s`, kafka.run.okPerSecond, TARGET_RATE, fmt.perSecond),
        atMost(`kafka p99 ≤ ${TARGET_P99_MS} ms`, kafka.run.p99Ms, TARGET_P99_MS, fmt.ms),
      ],
      failures,
      profile: profile && summariseProfile(context, profile, kafka.window),
    };
  },
};
