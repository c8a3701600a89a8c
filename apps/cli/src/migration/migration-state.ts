import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Where a migration writes: a second run must aim at the same place to resume it. */
export interface MigrationTarget {
  brokers: string;
  topic: string;
  redisUrl: string;
  redisPrefix: string;
  clickhouseUrl: string;
}

/** How far `waymark migrate-to-distributed` got, kept in the data directory it migrates from. */
export interface MigrationState {
  version: 1;
  target: MigrationTarget;
  startedAt: string;
  keys?: { records: number; erasures: number };
  stores?: { sessions: number; specs: number };
  /** The last log position Kafka acknowledged (null before the first batch) and how many events were appended. */
  events: { lastPosition: string | null; appended: number; done: boolean };
  replay?: { runId: string; done: boolean };
  finishedAt?: string;
}

export const MIGRATION_STATE_FILE = 'migrate-to-distributed.json';

export function migrationStatePath(dataDir: string): string {
  return join(dataDir, MIGRATION_STATE_FILE);
}

export function loadMigrationState(dataDir: string): MigrationState | undefined {
  const path = migrationStatePath(dataDir);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as MigrationState;
}

/**
 * Written whole to a temporary file, synced, then renamed over the old one: a crash
 * leaves the previous state or the new one, never half of either. Saved after every
 * batch Kafka acknowledged, so a resumed run re-sends at most the batch in flight.
 */
export function saveMigrationState(dataDir: string, state: MigrationState): void {
  const path = migrationStatePath(dataDir);
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(state, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

export function newMigrationState(target: MigrationTarget, now: Date): MigrationState {
  return { version: 1, target, startedAt: now.toISOString(), events: { lastPosition: null, appended: 0, done: false } };
}

/** Why a state file of another migration cannot be resumed against this target; undefined when it can. */
export function targetMismatch(state: MigrationState, target: MigrationTarget): string | undefined {
  const differing = (Object.keys(target) as Array<keyof MigrationTarget>).filter((field) => state.target[field] !== target[field]);
  if (differing.length === 0) return undefined;
  return differing.map((field) => `${field} was ${JSON.stringify(state.target[field])}, now ${JSON.stringify(target[field])}`).join('; ');
}
