/** One numbered, forward-only change to the ClickHouse schema. Statements must be idempotent. */
export interface ReadModelMigration {
  version: number;
  name: string;
  statements: readonly string[];
}
