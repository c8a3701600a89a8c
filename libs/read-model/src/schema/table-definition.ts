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
