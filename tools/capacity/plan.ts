import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_ASSUMPTIONS, Load, MeasuredInputs, formatPlan, planFor } from './capacity-model';

/**
 * Prints what a load needs, from the capacity model and the figures measured on one node
 * (tools/capacity/measured-inputs.json, written by `npm run capacity:measure`):
 *
 *   npm run capacity -- --sessions-per-second 100000 --activity-per-session 20
 *
 * Every figure the model takes as an assumption can be overridden (`--help`).
 */
const HELP = `npm run capacity -- [options]
  --sessions-per-second N      sessions started per second at peak (default 1000)
  --activity-per-session N     activity events recorded per session (default 20)
  --refreshes-per-session N    refreshes per session (default 1)
  --verifies-per-session N     verifies per session (default 20)
  --revokes-per-session N      revokes per session (default 0.5)
  --session-lifetime-days N    how long a session's record lives (the spec's refreshExpiry; default 30)
  --retention-days N           how long events stay in ClickHouse (default 90)
  --utilisation F              planned share of each core at peak (default ${DEFAULT_ASSUMPTIONS.utilisation})
  --clickhouse-cores N         cores per ClickHouse shard (default ${DEFAULT_ASSUMPTIONS.clickhouseCoresPerShard})
  --redis-memory-gib N         memory per Redis shard (default ${DEFAULT_ASSUMPTIONS.redisMemoryPerShardBytes / 2 ** 30})
  --inputs FILE                measured inputs (default tools/capacity/measured-inputs.json)
  --json                       print the plan as JSON`;

function main(): void {
  const { values } = parseArgs({
    options: {
      'sessions-per-second': { type: 'string', default: '1000' },
      'activity-per-session': { type: 'string', default: '20' },
      'refreshes-per-session': { type: 'string', default: '1' },
      'verifies-per-session': { type: 'string', default: '20' },
      'revokes-per-session': { type: 'string', default: '0.5' },
      'session-lifetime-days': { type: 'string', default: '30' },
      'retention-days': { type: 'string', default: '90' },
      utilisation: { type: 'string', default: String(DEFAULT_ASSUMPTIONS.utilisation) },
      'clickhouse-cores': { type: 'string', default: String(DEFAULT_ASSUMPTIONS.clickhouseCoresPerShard) },
      'redis-memory-gib': { type: 'string', default: String(DEFAULT_ASSUMPTIONS.redisMemoryPerShardBytes / 2 ** 30) },
      inputs: { type: 'string', default: join(__dirname, 'measured-inputs.json') },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const number = (name: keyof typeof values, min = 0): number => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number ≥ ${min}, got ${String(values[name])}`);
    return value;
  };
  const load: Load = {
    sessionsPerSecond: number('sessions-per-second', 1),
    activityEventsPerSession: number('activity-per-session'),
    refreshesPerSession: number('refreshes-per-session'),
    verifiesPerSession: number('verifies-per-session'),
    revokesPerSession: number('revokes-per-session'),
    sessionLifetimeDays: number('session-lifetime-days'),
    retentionDays: number('retention-days'),
  };
  const utilisation = number('utilisation');
  if (utilisation <= 0 || utilisation > 1) throw new Error('--utilisation must be in (0, 1]');
  const inputs = JSON.parse(readFileSync(values.inputs, 'utf8')) as MeasuredInputs;
  const plan = planFor(load, inputs, {
    ...DEFAULT_ASSUMPTIONS,
    utilisation,
    clickhouseCoresPerShard: number('clickhouse-cores', 1),
    redisMemoryPerShardBytes: number('redis-memory-gib', 1) * 2 ** 30,
  });
  if (values.json) {
    console.log(JSON.stringify(plan, null, 2));
    return;
  }
  console.log(`Measured inputs: ${inputs.machine}, ${inputs.measuredAt} (${inputs.command})\n`);
  console.log(formatPlan(plan));
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
