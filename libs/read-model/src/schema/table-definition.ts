/**
 * A column as ClickHouse's `system.columns` reports it once every migration has run:
 * its name, its type, and `fill` when ClickHouse computes it on insert (`MATERIALIZED`)
 * or fills it when an insert leaves it out (`DEFAULT`).
 */
export interface ColumnDefinition {
  name: string;
  type: string;
  fill?: 'DEFAULT' | 'MATERIALIZED';
}

/**
 * How retention (docs/retention.md) takes a table's rows of events older than a cutoff
 * out, so that what stays is what a replay of the remaining events builds. Every such
 * table has `product` and `env` columns, which pick the cutoff.
 *
 * - `events`: one row per event; the rows whose `time` is before the cutoff go (of
 *   those matching `where`, when given).
 * - `groups`: one row per group once merged, every other column a min or a max over the
 *   group's events, with `first` and `last` its oldest and newest event. A row whose
 *   `first` is before the cutoff goes. If its `last` is not, the row also held newer
 *   events: its group (`key`, the same tuple as `keyOfEvents` over `events`) is first
 *   rebuilt from the events that remain. A min or a max over them agrees with the
 *   group's other rows whatever merges do, so the group ends as a replay would build it.
 */
export type RetentionShape =
  { kind: 'events'; time: string; where?: string } | { kind: 'groups'; first: string; last: string; key: string; keyOfEvents: string };

/** A read-model table as it is now (after the last migration). */
export interface TableDefinition {
  name: string;
  columns: readonly ColumnDefinition[];
}

/**
 * Columns written like a CREATE TABLE's lines: `'name Type'`, with ` MATERIALIZED` or
 * ` DEFAULT` at the end for a column ClickHouse fills itself (its expression lives in
 * the migration that added it).
 */
export function columns(...lines: readonly string[]): ColumnDefinition[] {
  return lines.map((line) => {
    const space = line.indexOf(' ');
    const name = line.slice(0, space);
    const rest = line.slice(space + 1);
    const fill = (['MATERIALIZED', 'DEFAULT'] as const).find((kind) => rest.endsWith(` ${kind}`));
    return fill ? { name, type: rest.slice(0, -(fill.length + 1)), fill } : { name, type: rest };
  });
}
