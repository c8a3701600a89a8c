/**
 * The capacity model of docs/capacity.md: from figures measured on one node (per
 * operation: API CPU, Redis CPU and memory, Kafka bytes, projector CPU, ClickHouse CPU
 * and bytes on disk) to how many of each part a load needs. Pure functions: the inputs
 * come from tools/capacity/measured-inputs.json (`npm run capacity:measure`), the load
 * from the command line (`npm run capacity -- --sessions-per-second ...`).
 */

/** What one call costs the Redis server. */
export interface StoreCosts {
  redisCpuUs: number;
  /** Commands the server counted per call (scripts' inner commands included). */
  redisCommands: number;
  /** Growth of Redis's used memory per call (a live session's record and indexes, for start). */
  redisBytes: number;
}

export interface ApiCosts {
  /** API process CPU (user + sys, all threads) per call, distributed mode. */
  startSessionUs: number;
  verifyUs: number;
  refreshUs: number;
  revokeUs: number;
  /** Per activity event, sent in batches of ten. */
  activityEventUs: number;
}

export interface MeasuredInputs {
  measuredAt: string;
  machine: string;
  command: string;
  sessions: number;
  api?: ApiCosts;
  redis: { startSession: StoreCosts; verify: StoreCosts; refresh: StoreCosts; revoke: StoreCosts; activityEvent: StoreCosts };
  kafkaBytesPerEvent: Record<string, number>;
  /** The distributed projector's own CPU per event (consuming, decoding, building rows, sending the INSERT). */
  projectorCpuUsPerEvent?: number;
  clickhouse: { events: number; bytesPerEventAllTables: number; bytesByTable: Record<string, number>; note: string };
}

/** Figures no test machine here can measure (no Kafka broker, no ClickHouse server): planning assumptions, printed as such. */
export interface Assumptions {
  /** Share of a core (or of a process's main thread) a part is planned to use at peak. */
  utilisation: number;
  /** ClickHouse's CPU per event INSERTed with the read model's views (chDB here, Node 24: docs/benchmarks.md, issue 18). */
  clickhouseInsertCpuUsPerEvent: number;
  clickhouseCoresPerShard: number;
  clickhouseReplicas: number;
  /** Disk each ClickHouse replica is planned to fill (compressed parts), at the utilisation target. */
  clickhouseDiskPerShardBytes: number;
  /** Compressed bytes per event in large merged parts, against the small parts one measuring run leaves. */
  clickhouseCompressionGain: number;
  kafkaReplicationFactor: number;
  /** Planning figure for one partition's sustained write rate. */
  kafkaBytesPerSecondPerPartition: number;
  /** Planning figure for one broker's sustained write rate (after replication). */
  kafkaBytesPerSecondPerBroker: number;
  redisMemoryPerShardBytes: number;
  redisReplicasPerShard: number;
}

export const DEFAULT_ASSUMPTIONS: Assumptions = {
  utilisation: 0.6,
  clickhouseInsertCpuUsPerEvent: 26.8,
  clickhouseCoresPerShard: 16,
  clickhouseReplicas: 2,
  clickhouseDiskPerShardBytes: 8 * 2 ** 40,
  clickhouseCompressionGain: 1,
  kafkaReplicationFactor: 3,
  kafkaBytesPerSecondPerPartition: 10 * 2 ** 20,
  kafkaBytesPerSecondPerBroker: 50 * 2 ** 20,
  redisMemoryPerShardBytes: 24 * 2 ** 30,
  redisReplicasPerShard: 1,
};

/** The load to plan for, per second at peak. */
export interface Load {
  sessionsPerSecond: number;
  activityEventsPerSession: number;
  refreshesPerSession: number;
  verifiesPerSession: number;
  revokesPerSession: number;
  /** How long a session's record stays in Redis: its refresh lifetime (the spec's refreshExpiry, 30 days by default). */
  sessionLifetimeDays: number;
  /** How long events stay in ClickHouse (products[].retention). */
  retentionDays: number;
}

export interface PartPlan {
  part: string;
  count: number;
  /** What decides the count. */
  why: string;
}

export interface Plan {
  load: Load;
  rates: { commands: Record<string, number>; eventsPerSecond: number; kafkaBytesPerSecond: number };
  parts: PartPlan[];
  /** For one instance of each part, the sessions/s at which it saturates, lowest first. */
  saturation: Array<{ part: string; sessionsPerSecond: number }>;
}

const SECONDS_PER_DAY = 86_400;

/** Mean Kafka bytes of the events one session produces (start, refreshes, activity, revokes). */
function kafkaBytesPerSession(inputs: MeasuredInputs, load: Load): number {
  const bytes = (type: string) => inputs.kafkaBytesPerEvent[type] ?? Math.max(...Object.values(inputs.kafkaBytesPerEvent));
  return (
    bytes('SessionStarted') +
    load.refreshesPerSession * bytes('SessionRefreshed') +
    load.activityEventsPerSession * bytes('SessionActivityRecorded') +
    load.revokesPerSession * bytes('SessionRevoked')
  );
}

/**
 * How long a session's record stays in Redis on average: until its refresh lifetime ends,
 * unless revoked first (a revoke deletes the record but for a small tombstone; taken as
 * immediate, which errs on the side of fewer live sessions only for the revoked share).
 */
function liveDaysPerSession(load: Load): number {
  return load.sessionLifetimeDays * (1 - Math.min(1, load.revokesPerSession));
}

function eventsPerSession(load: Load): number {
  return 1 + load.refreshesPerSession + load.activityEventsPerSession + load.revokesPerSession;
}

/** CPU seconds per second each part spends per session started (the whole session's traffic). */
function cpuPerSession(inputs: MeasuredInputs, load: Load, assumptions: Assumptions) {
  const api = inputs.api;
  if (!api) throw new Error('measured-inputs.json has no API figures: run npm run capacity:measure');
  const redis = inputs.redis;
  const events = eventsPerSession(load);
  return {
    api:
      (api.startSessionUs +
        load.verifiesPerSession * api.verifyUs +
        load.refreshesPerSession * api.refreshUs +
        load.activityEventsPerSession * api.activityEventUs +
        load.revokesPerSession * api.revokeUs) /
      1e6,
    redis:
      (redis.startSession.redisCpuUs +
        load.verifiesPerSession * redis.verify.redisCpuUs +
        load.refreshesPerSession * redis.refresh.redisCpuUs +
        load.activityEventsPerSession * redis.activityEvent.redisCpuUs +
        load.revokesPerSession * redis.revoke.redisCpuUs) /
      1e6,
    projector: (events * (inputs.projectorCpuUsPerEvent ?? 0)) / 1e6,
    clickhouse: (events * assumptions.clickhouseInsertCpuUsPerEvent) / 1e6,
  };
}

export function planFor(load: Load, inputs: MeasuredInputs, assumptions: Assumptions = DEFAULT_ASSUMPTIONS): Plan {
  const s = load.sessionsPerSecond;
  const u = assumptions.utilisation;
  const cpu = cpuPerSession(inputs, load, assumptions);
  const eventsPerSecond = s * eventsPerSession(load);
  const kafkaBytesPerSecond = s * kafkaBytesPerSession(inputs, load);

  // A Node process does its JavaScript on one thread: an API instance or a projector is
  // planned as one core at the utilisation target, whatever the machine has.
  const apiInstances = Math.max(2, Math.ceil((s * cpu.api) / u));
  const projectors = Math.max(1, Math.ceil((s * cpu.projector) / u));
  const partitionsForBytes = Math.ceil(kafkaBytesPerSecond / assumptions.kafkaBytesPerSecondPerPartition);
  // Partitions bound the projectors (one group member per partition at most); twice the
  // projectors leaves room to add members without repartitioning.
  const partitions = Math.max(partitionsForBytes, 2 * projectors, 4);
  const brokers = Math.max(3, Math.ceil((kafkaBytesPerSecond * assumptions.kafkaReplicationFactor) / assumptions.kafkaBytesPerSecondPerBroker));

  // Redis runs commands on one thread per shard.
  const redisShardsForCpu = Math.ceil((s * cpu.redis) / u);
  const liveSessions = s * liveDaysPerSession(load) * SECONDS_PER_DAY;
  const redisMemory = liveSessions * inputs.redis.startSession.redisBytes;
  const redisShardsForMemory = Math.ceil(redisMemory / (assumptions.redisMemoryPerShardBytes * u));
  const redisShards = Math.max(1, redisShardsForCpu, redisShardsForMemory);

  const clickhouseCores = (s * cpu.clickhouse) / u;
  const clickhouseShardsForCpu = Math.ceil(clickhouseCores / assumptions.clickhouseCoresPerShard);
  const bytesPerEvent = inputs.clickhouse.bytesPerEventAllTables / assumptions.clickhouseCompressionGain;
  const storedBytes = eventsPerSecond * SECONDS_PER_DAY * load.retentionDays * bytesPerEvent;
  const clickhouseShardsForDisk = Math.ceil(storedBytes / (assumptions.clickhouseDiskPerShardBytes * u));
  const clickhouseShards = Math.max(1, clickhouseShardsForCpu, clickhouseShardsForDisk);

  const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(bytes < 10 * 2 ** 30 ? 1 : 0)} GiB`;
  const parts: PartPlan[] = [
    {
      part: 'API instances (one core each)',
      count: apiInstances,
      why: `${(s * cpu.api).toFixed(1)} cores of API CPU at ${u * 100}% (at least 2 for availability)`,
    },
    { part: 'Kafka partitions', count: partitions, why: `${gib(kafkaBytesPerSecond)}/s written; ≥ 2 × projectors` },
    {
      part: 'Kafka brokers',
      count: brokers,
      why: `${gib(kafkaBytesPerSecond * assumptions.kafkaReplicationFactor)}/s with replication ×${assumptions.kafkaReplicationFactor} (at least 3)`,
    },
    {
      part: 'projectors (one core each)',
      count: projectors,
      why: `${Math.round(eventsPerSecond).toLocaleString('en-US')} events/s, ${(s * cpu.projector).toFixed(1)} cores`,
    },
    {
      part: 'Redis shards (masters)',
      count: redisShards,
      why: `CPU ${redisShardsForCpu} shard(s) for ${(s * cpu.redis).toFixed(2)} cores; memory ${redisShardsForMemory} shard(s) for ${gib(redisMemory)} (${Math.round(liveSessions).toLocaleString('en-US')} live sessions)`,
    },
    {
      part: `ClickHouse shards (${assumptions.clickhouseCoresPerShard} cores, ×${assumptions.clickhouseReplicas} replicas)`,
      count: clickhouseShards,
      why: `CPU ${clickhouseShardsForCpu} shard(s) for ${clickhouseCores.toFixed(1)} cores of INSERT work; disk ${clickhouseShardsForDisk} shard(s) for ${gib(storedBytes)} over ${load.retentionDays} days`,
    },
  ];

  const saturation = [
    { part: 'one API instance', sessionsPerSecond: u / cpu.api },
    { part: 'one projector', sessionsPerSecond: cpu.projector > 0 ? u / cpu.projector : Number.POSITIVE_INFINITY },
    { part: 'one Redis (CPU)', sessionsPerSecond: u / cpu.redis },
    {
      part: 'one Redis (memory)',
      sessionsPerSecond: (assumptions.redisMemoryPerShardBytes * u) / (liveDaysPerSession(load) * SECONDS_PER_DAY * inputs.redis.startSession.redisBytes),
    },
    {
      part: 'one ClickHouse shard (disk)',
      sessionsPerSecond: (assumptions.clickhouseDiskPerShardBytes * u) / (eventsPerSession(load) * SECONDS_PER_DAY * load.retentionDays * bytesPerEvent),
    },
    {
      part: `one ClickHouse shard (${assumptions.clickhouseCoresPerShard} cores)`,
      sessionsPerSecond: (assumptions.clickhouseCoresPerShard * u) / cpu.clickhouse,
    },
    { part: 'one Kafka partition', sessionsPerSecond: assumptions.kafkaBytesPerSecondPerPartition / kafkaBytesPerSession(inputs, load) },
  ].sort((a, b) => a.sessionsPerSecond - b.sessionsPerSecond);

  return {
    load,
    rates: {
      commands: {
        'start-session': s,
        verify: s * load.verifiesPerSession,
        refresh: s * load.refreshesPerSession,
        'activity events': s * load.activityEventsPerSession,
        revoke: s * load.revokesPerSession,
      },
      eventsPerSecond,
      kafkaBytesPerSecond,
    },
    parts,
    saturation,
  };
}

/** The plan as the CLI prints it (and docs/capacity.md quotes it). */
export function formatPlan(plan: Plan): string {
  const n = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '∞');
  const lines = [
    `Load: ${n(plan.load.sessionsPerSecond)} sessions started/s, each with ${plan.load.activityEventsPerSession} activity events, ` +
      `${plan.load.refreshesPerSession} refreshes, ${plan.load.verifiesPerSession} verifies, ${plan.load.revokesPerSession} revokes; ` +
      `sessions live ${plan.load.sessionLifetimeDays} days, events kept ${plan.load.retentionDays} days`,
    `Rates: ${Object.entries(plan.rates.commands)
      .map(([name, rate]) => `${name} ${n(rate)}/s`)
      .join(', ')}; ${n(plan.rates.eventsPerSecond)} events/s into Kafka (${(plan.rates.kafkaBytesPerSecond / 2 ** 20).toFixed(1)} MiB/s)`,
    '',
    ...plan.parts.map((part) => `  ${part.part.padEnd(48)} ${String(part.count).padStart(6)}   ${part.why}`),
    '',
    'Saturates first (sessions/s one of each part sustains at this mix):',
    ...plan.saturation.map((entry, index) => `  ${index + 1}. ${entry.part.padEnd(34)} ${n(entry.sessionsPerSecond)}/s`),
  ];
  return lines.join('\n');
}
