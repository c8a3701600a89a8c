import type { createChdbConnection } from 'chdb/connection';

type ChdbConnection = ReturnType<typeof createChdbConnection>;
type Settings = Record<string, unknown> | undefined;

/**
 * chDB's connection applies a call's `clickhouse_settings` as `SET k = v; <statement>`
 * on its one session, so every setting outlives its call. That is harmless for most
 * settings and silently wrong for `insert_deduplication_token`: the next INSERT without
 * a token of its own reuses the last one and ClickHouse drops it as a duplicate (0 rows
 * written, no error). Over HTTP a setting belongs to its request only; this restores
 * that here:
 * - an insert gets its settings as the INSERT's own `SETTINGS` clause (one statement,
 *   nothing left behind: the projector's path, so no extra round trip);
 * - any other call with settings runs as chDB runs it, then each setting is set back to
 *   its default.
 */
export function scopeSettingsPerCall(connection: ChdbConnection): ChdbConnection {
  const insert = connection.insert.bind(connection);
  const withReset =
    <P extends { clickhouse_settings?: Settings }, R>(call: (params: P) => Promise<R>) =>
    async (params: P): Promise<R> => {
      const names = Object.keys(params.clickhouse_settings ?? {});
      try {
        return await call(params);
      } finally {
        for (const name of names) await connection.command({ query: `SET ${name} = DEFAULT` }).catch(() => undefined);
      }
    };
  const query = withReset(connection.query.bind(connection));
  const command = withReset(connection.command.bind(connection));
  const exec = withReset(connection.exec.bind(connection));
  return new Proxy(connection, {
    get(target, property) {
      if (property === 'insert') {
        return (params: Parameters<ChdbConnection['insert']>[0]) => {
          const clause = settingsClause(params.clickhouse_settings);
          if (!clause) return insert(params);
          // The client's insert statement ends `FORMAT <name>`; SETTINGS goes right before it.
          const statement = params.query.replace(/ FORMAT (\w+)\s*$/, ` SETTINGS ${clause} FORMAT $1`);
          if (statement === params.query) throw new Error(`cannot scope settings to the insert statement: ${params.query}`);
          return insert({ ...params, query: statement, clickhouse_settings: undefined });
        };
      }
      if (property === 'query') return query;
      if (property === 'command') return command;
      if (property === 'exec') return exec;
      // The connection keeps its session in private fields: `this` must be the connection itself.
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function settingsClause(settings: Settings): string | undefined {
  const assignments = Object.entries(settings ?? {})
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`invalid setting name ${JSON.stringify(name)}`);
      if (typeof value === 'number') return `${name} = ${value}`;
      if (typeof value === 'boolean') return `${name} = ${value ? 1 : 0}`;
      return `${name} = '${String(value).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    });
  return assignments.length > 0 ? assignments.join(', ') : undefined;
}
