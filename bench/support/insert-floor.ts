import { join } from 'node:path';
import { BenchmarkContext, Figure, Verdict, atLeastShare, fmt } from './benchmark';
import { InsertSchema, InsertTiming } from './chdb-inserts';
import { startTsProcess } from './ts-process';

/** Issue 18: the embedded projector and replay reach this share of the INSERT floor, same run. */
export const SHARE_OF_INSERT_FLOOR = 0.5;

interface InsertRun extends InsertTiming {
  type: 'result';
  schema: InsertSchema;
  rowsInTable: number;
}

export interface InsertFloors {
  /** The same rows into `events` alone (no views): what chDB takes for them. */
  floor: InsertRun;
  /** The same rows into the migrated schema (views and derived tables), no projector. */
  views: InsertRun;
}

/**
 * What chDB takes for the rows a drain just projected, measured in the same run right
 * after it: the floor (`events` alone) then with the views, each in a process of its own
 * (bench/processes/insert-floor.ts) reading the drain's SQLite log in `batchSize` batches.
 */
export async function measureInsertFloors(context: BenchmarkContext, name: string, dataDir: string, total: number, batchSize: number): Promise<InsertFloors> {
  const floor = await insertRun(context, name, 'floor', dataDir, total, batchSize);
  const views = await insertRun(context, name, 'views', dataDir, total, batchSize);
  return { floor, views };
}

async function insertRun(context: BenchmarkContext, name: string, schema: InsertSchema, dataDir: string, total: number, batchSize: number): Promise<InsertRun> {
  const child = startTsProcess(join(__dirname, '../processes/insert-floor.ts'), {
    env: {
      BENCH_DATA_DIR: dataDir,
      BENCH_BATCH: String(batchSize),
      BENCH_EVENTS: String(total),
      BENCH_INSERT_SCHEMA: schema,
      BENCH_INSERT_DIR: join(dataDir, `insert-${schema}-clickhouse`),
    },
  });
  child.onMessage((message) => {
    if (message.type === 'progress') context.progress.update(`${name}: INSERT ${schema} ${fmt.int(Number(message.done))} / ${fmt.int(total)} events`);
  });
  const result = await child.waitFor<InsertRun>('result', 30 * 60_000);
  const code = await child.stop();
  context.progress.clear();
  if (code !== 0) throw new Error(`the INSERT ${schema} process exited with ${code}\n${child.log}`);
  return result;
}

export const insertRate = (run: InsertTiming): number => (run.rows * 1000) / run.wallMs;

/** floor → with views → the drain, as figures; `drain` names the measured path (projector, replay). */
export function insertFloorFigures(floors: InsertFloors, drain: { label: string; rate: number }): Figure[] {
  const describe = (run: InsertRun) =>
    `${fmt.perSecond(insertRate(run))}, ${((run.cpuMs * 1000) / run.rows).toFixed(1)} µs CPU per event, ${(run.wallMs / run.inserts).toFixed(0)} ms per INSERT of ${fmt.int(run.rows / run.inserts)}`;
  const floor = insertRate(floors.floor);
  const views = insertRate(floors.views);
  return [
    { label: 'INSERT floor: same rows and batches into `events` alone, no views', value: describe(floors.floor), key: true },
    { label: 'INSERT with the views (migrated schema), no projector', value: describe(floors.views), key: true },
    { label: `floor → with views → ${drain.label} (events/s)`, value: `${fmt.perSecond(floor)} → ${fmt.perSecond(views)} → ${fmt.perSecond(drain.rate)}` },
    { label: `share of the floor: with views, ${drain.label}`, value: `${fmt.ratio(views / floor)}, ${fmt.ratio(drain.rate / floor)}`, key: true },
  ];
}

export function insertFloorVerdict(floors: InsertFloors, rate: number): Verdict {
  return atLeastShare(`≥ ${SHARE_OF_INSERT_FLOOR} × the INSERT floor (same run)`, rate, insertRate(floors.floor), SHARE_OF_INSERT_FLOOR, fmt.perSecond);
}

/** An INSERT run that did not land every row makes the benchmark's run invalid. */
export function insertFloorFailures(floors: InsertFloors, total: number): string[] {
  return [floors.floor, floors.views]
    .filter((run) => run.rows !== total || run.rowsInTable !== total)
    .map((run) => `INSERT ${run.schema}: ${run.rows} rows inserted, ${run.rowsInTable} in the table, for ${total} events`);
}
