import { ClickHouseClient } from '@clickhouse/client';
import { localName } from './cluster-ddl';

/**
 * Which ClickHouse cluster a client's read model is spread over (CLICKHOUSE_CLUSTER),
 * kept beside the client, so the few statements that cannot go through the Distributed
 * tables (lightweight DELETEs: a Distributed table takes none) find their local target
 * without every caller being told about clusters.
 */
const clusters = new WeakMap<ClickHouseClient, string>();

export function registerCluster(client: ClickHouseClient, cluster: string): void {
  clusters.set(client, cluster);
}

export function clusterOf(client: ClickHouseClient): string | undefined {
  return clusters.get(client);
}

/** What a `DELETE FROM` names: the table on one server; its local tables on every host of a cluster. */
export function deleteTarget(client: ClickHouseClient, table: string): string {
  const cluster = clusters.get(client);
  return cluster ? `${localName(table)} ON CLUSTER ${cluster}` : table;
}

/** Settings for an `INSERT … SELECT` between read-model tables: on a cluster each shard copies its own rows. */
export function insertSelectSettings(client: ClickHouseClient): { parallel_distributed_insert_select?: '2' } {
  return clusters.has(client) ? { parallel_distributed_insert_select: '2' } : {};
}
