import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ProfileWindow } from './profile/cpu-profile';
import { Benchmark, BenchmarkRun, fmt, formerTarget, reported } from './support/benchmark';
import { diskUsage } from './support/disk-usage';
import { insertFloorFailures, insertFloorFigures, insertFloorVerdict, measureInsertFloors } from './support/insert-floor';
import { profileRequest, summariseProfile } from './support/profiles';
import { startTsProcess } from './support/ts-process';

/** The absolute target before issue 18 (now: a share of the INSERT floor, same run), kept as a reported figure. */
const FORMER_TARGET_RATE = 100_000;

/** What a drain process reports (bench/processes/projector-drain.ts, kafka-projector-drain.ts). */
export interface DrainResult {
  type: 'result';
  total: number;
  batchSize: number;
  appendMs: number;
  projectMs: number;
  cpuMs: number;
  stats: { batches: number; projected: number; deadLettered: number; failures: number };
  rows: number;
  unique: number;
  window: ProfileWindow;
}

/**
 * Events per second from the embedded SQLite log into chDB: N events appended first,
 * then a Projector (the API's settings) drains them; and the disk it all takes. Then,
 * in the same run, the same rows INSERTed without a projector, into `events` alone
 * (the floor the target is a share of) and into the migrated schema (what the views
 * cost).
 */
export const projectorBenchmark: Benchmark = {
  name: 'projector',
  title: 'Projector: SQLite log → chDB',
  layout:
    'its own process: append through SqliteEventLog.append in groups of 10,000, then time a Projector draining the log into chDB (no HTTP, no other load); then the INSERT floor and the INSERT with views, each in its own process, reading the same log',
  async run(context): Promise<BenchmarkRun> {
    const total = context.quick ? 100_000 : 1_000_000;
    const dataDir = join(context.workDir, 'projector');
    const profile = profileRequest(context, 'projector');
    const child = startTsProcess(join(__dirname, 'processes/projector-drain.ts'), {
      env: { BENCH_EVENTS: String(total), BENCH_DATA_DIR: dataDir },
      profile,
    });
    child.onMessage((message) => {
      if (message.type === 'progress') {
        const done = Number(message.done);
        context.progress.update(`projector: ${String(message.phase)} ${fmt.int(done)} / ${fmt.int(total)} events`);
      }
    });
    const result = await child.waitFor<DrainResult>('result', 30 * 60_000);
    const code = await child.stop();
    context.progress.clear();
    if (code !== 0) throw new Error(`the projector process exited with ${code}\n${child.log}`);

    const sqliteBytes = readdirSync(dataDir)
      .filter((file) => file.startsWith('waymark.db'))
      .reduce((sum, file) => sum + diskUsage(join(dataDir, file)), 0);
    const clickhouseBytes = diskUsage(join(dataDir, 'clickhouse'));
    const perMillion = (bytes: number) => (bytes * 1_000_000) / total;
    const rate = (result.total * 1000) / result.projectMs;
    // After the disk was measured: the floor's process opens the same SQLite file.
    const floors = await measureInsertFloors(context, 'projector', dataDir, total, result.batchSize);

    const failures: string[] = [];
    if (result.stats.failures > 0) failures.push(`${result.stats.failures} failed inserts (retried)`);
    if (result.stats.deadLettered > 0) failures.push(`${result.stats.deadLettered} events dead-lettered`);
    if (result.rows !== total || result.unique !== total) failures.push(`ClickHouse holds ${result.rows} rows (${result.unique} unique) for ${total} events`);
    failures.push(...insertFloorFailures(floors, total));

    return {
      figures: [
        { label: 'projected events/s', value: fmt.perSecond(rate), key: true },
        { label: 'events / batches (batch size)', value: `${fmt.int(result.total)} / ${fmt.int(result.stats.batches)} (${fmt.int(result.batchSize)})` },
        { label: 'drain time', value: `${(result.projectMs / 1000).toFixed(2)} s` },
        {
          label: 'process CPU per event (user + sys, all threads) / cores busy',
          value: `${((result.cpuMs * 1000) / result.total).toFixed(1)} µs / ${(result.cpuMs / result.projectMs).toFixed(2)}`,
          key: true,
        },
        ...insertFloorFigures(floors, { label: 'projector', rate }),
        { label: 'append rate into the SQLite log (groups of 10,000)', value: fmt.perSecond((result.total * 1000) / result.appendMs) },
        { label: 'rows in ClickHouse (unique event ids)', value: `${fmt.int(result.rows)} (${fmt.int(result.unique)})` },
        {
          label: 'disk per million events: SQLite / ClickHouse / total',
          value: `${fmt.mib(perMillion(sqliteBytes))} / ${fmt.mib(perMillion(clickhouseBytes))} / ${fmt.mib(perMillion(sqliteBytes + clickhouseBytes))}`,
        },
      ],
      verdicts: [
        insertFloorVerdict(floors, rate),
        formerTarget(`≥ ${fmt.int(FORMER_TARGET_RATE)} events/s`, rate, FORMER_TARGET_RATE, fmt.perSecond),
        reported('disk per million events (SQLite + ClickHouse, right after projection)', fmt.mib(perMillion(sqliteBytes + clickhouseBytes))),
      ],
      failures,
      profile: profile && summariseProfile(context, profile, result.window),
    };
  },
};
