import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ASSUMPTIONS, Load, MeasuredInputs, formatPlan, planFor } from '../../tools/capacity/capacity-model';

const inputs = JSON.parse(readFileSync(join(__dirname, '../../tools/capacity/measured-inputs.json'), 'utf8')) as MeasuredInputs;

const load: Load = {
  sessionsPerSecond: 1_000,
  activityEventsPerSession: 20,
  refreshesPerSession: 1,
  verifiesPerSession: 20,
  revokesPerSession: 0.5,
  sessionLifetimeDays: 30,
  retentionDays: 90,
};

const countOf = (plan: ReturnType<typeof planFor>, prefix: string) => plan.parts.find((part) => part.part.startsWith(prefix))?.count ?? Number.NaN;

describe('capacity model', () => {
  it('reads measured inputs with every figure it needs', () => {
    expect(inputs.api?.startSessionUs).toBeGreaterThan(0);
    expect(inputs.projectorCpuUsPerEvent).toBeGreaterThan(0);
    expect(inputs.kafkaBytesPerEvent.SessionStarted).toBeGreaterThan(0);
    expect(inputs.kafkaBytesPerEvent.SessionActivityRecorded).toBeGreaterThan(0);
    expect(inputs.redis.startSession.redisBytes).toBeGreaterThan(0);
    expect(inputs.clickhouse.bytesPerEventAllTables).toBeGreaterThan(0);
  });

  it('derives the rates from the mix: events into Kafka are starts, refreshes, activity and revokes (verifies write nothing)', () => {
    const plan = planFor(load, inputs);
    expect(plan.rates.eventsPerSecond).toBe(1_000 * (1 + 1 + 20 + 0.5));
    expect(plan.rates.commands.verify).toBe(20_000);
  });

  it('computes API instances from the measured CPU per call at the utilisation target', () => {
    const api = inputs.api as NonNullable<MeasuredInputs['api']>;
    const coresPerSession = (api.startSessionUs + 20 * api.verifyUs + api.refreshUs + 20 * api.activityEventUs + 0.5 * api.revokeUs) / 1e6;
    const plan = planFor(load, inputs);
    expect(countOf(plan, 'API instances')).toBe(Math.max(2, Math.ceil((1_000 * coresPerSession) / DEFAULT_ASSUMPTIONS.utilisation)));
  });

  it('scales every part with the load, and ten times the load needs at least as many of each', () => {
    for (const prefix of ['API instances', 'Kafka partitions', 'projectors', 'Redis shards', 'ClickHouse shards']) {
      const small = countOf(planFor(load, inputs), prefix);
      const large = countOf(planFor({ ...load, sessionsPerSecond: 10_000 }, inputs), prefix);
      expect(large).toBeGreaterThanOrEqual(small);
    }
    expect(countOf(planFor({ ...load, sessionsPerSecond: 100_000 }, inputs), 'API instances')).toBeGreaterThan(countOf(planFor(load, inputs), 'API instances'));
  });

  it('sizes Redis by memory when sessions live long, and by CPU when they are short', () => {
    const longLived = planFor({ ...load, sessionLifetimeDays: 30, revokesPerSession: 0 }, inputs);
    const shortLived = planFor({ ...load, sessionLifetimeDays: 0.01, revokesPerSession: 0 }, inputs);
    expect(longLived.parts.find((part) => part.part.startsWith('Redis'))?.count).toBeGreaterThan(
      shortLived.parts.find((part) => part.part.startsWith('Redis'))?.count ?? 0,
    );
    expect(longLived.saturation[0].part).toBe('one Redis (memory)');
  });

  it('never plans fewer partitions than twice the projectors, so the group can grow', () => {
    const plan = planFor({ ...load, sessionsPerSecond: 50_000 }, inputs);
    expect(countOf(plan, 'Kafka partitions')).toBeGreaterThanOrEqual(2 * countOf(plan, 'projectors'));
  });

  it('orders the saturation points, lowest first, and prints them', () => {
    const plan = planFor(load, inputs);
    const rates = plan.saturation.map((entry) => entry.sessionsPerSecond);
    expect(rates).toEqual([...rates].sort((a, b) => a - b));
    expect(formatPlan(plan)).toContain('Saturates first');
  });

  it('npm run capacity prints the plan for a load from the command line, and refuses a bad number', () => {
    const root = join(__dirname, '../..');
    const run = (...args: string[]) =>
      execFileSync(process.execPath, ['-r', './tools/register-ts.js', 'tools/capacity/plan.ts', ...args], { cwd: root, encoding: 'utf8' });
    const plan = JSON.parse(run('--sessions-per-second', '100000', '--activity-per-session', '5', '--json')) as ReturnType<typeof planFor>;
    expect(plan.load.sessionsPerSecond).toBe(100_000);
    expect(plan.rates.eventsPerSecond).toBe(100_000 * (1 + 1 + 5 + 0.5));
    expect(run('--sessions-per-second', '1000')).toContain('API instances');
    expect(() => run('--sessions-per-second', 'lots')).toThrow(/--sessions-per-second must be a number/);
  });
});
