import { eventsMigration } from './0001-events.migration';
import { ReadModelMigration } from './read-model-migration';

/** Every migration, in order. Append new ones; never edit one that has shipped. */
export const READ_MODEL_MIGRATIONS: readonly ReadModelMigration[] = [eventsMigration];

export type { ReadModelMigration };
