import { ClickHouseClient } from '@clickhouse/client';
import { LagReport } from '@waymark/event-log';
import { LogIntegrityFinding, LogIntegrityReport, reportOf } from './log-integrity-report';

/**
 * Distributed mode's version of the start-up check. A Kafka partition's high watermark
 * never goes back on its own (retention removes records from the front, not the end),
 * so a read model or a group commit past it means the topic lost records at its end:
 * it was deleted and re-created, or an unclean leader election dropped acknowledged
 * writes. Offsets then restart below what the read model holds, and new records will
 * take offsets the read model already knows other events at.
 */
export async function checkKafkaLogIntegrity(lag: LagReport, clickhouse: ClickHouseClient): Promise<LogIntegrityReport> {
  const heads = new Map(lag.partitions.map((partition) => [Number(partition.partition), Number(partition.head)]));
  const headList = Array.from({ length: Math.max(0, ...heads.keys()) + 1 }, (_, index) => heads.get(index) ?? 0);
  const result = await clickhouse.query({
    query: `SELECT partition, max(offset) AS top, uniqExactIf(event_id, offset >= arrayElement({heads:Array(UInt64)}, partition + 1)) AS beyond
            FROM (SELECT toUInt32OrZero(splitByChar(':', log_position)[1]) AS partition,
                         toUInt64OrZero(splitByChar(':', log_position)[2]) AS offset, event_id
                  FROM events WHERE position(log_position, ':') > 0)
            WHERE partition < {partitions:UInt32}
            GROUP BY partition ORDER BY partition`,
    query_params: { heads: headList, partitions: headList.length },
    format: 'JSONEachRow',
  });
  const findings: LogIntegrityFinding[] = [];
  for (const row of await result.json<{ partition: number; top: string | number; beyond: string | number }>()) {
    const beyond = Number(row.beyond);
    if (beyond > 0) {
      findings.push({
        kind: 'read_model_ahead',
        detail:
          `partition ${row.partition}: the read model holds ${beyond} events at offsets up to ${row.top}, ` +
          `but the topic ends before offset ${heads.get(row.partition) ?? 0}`,
        missingEvents: beyond,
      });
    }
  }
  for (const partition of lag.partitions) {
    // describeLag reports "never committed" as 0, so only a real commit can be past the head.
    if (Number(partition.committed) > Number(partition.head)) {
      findings.push({
        kind: 'checkpoint_ahead',
        detail:
          `partition ${partition.partition}: group "${lag.group}" committed offset ${partition.committed}, ` +
          `but the topic ends before offset ${partition.head}`,
        missingEvents: 0,
      });
    }
  }
  return reportOf(findings, KAFKA_REMEDY);
}

/**
 * There is no `waymark log repair` for Kafka: the topic is the shared truth, other
 * producers may write it, and re-producing lost records is a decision for whoever owns
 * it. What Waymark offers is replay, so the line says that, and why it is urgent: the
 * projector names its inserts after partition offsets, and a batch whose offsets repeat
 * an earlier one's can be dropped by ClickHouse's insert deduplication.
 */
export const KAFKA_REMEDY =
  'the topic lost records the read model still has, and there is no repair for a Kafka topic: ' +
  'the fix is `waymark replay`, which rebuilds the read model from the topic as it is now ' +
  '(the lost events leave the read model; re-produce them to the topic first if they must be kept), then restart the instances (the check runs at start-up). ' +
  'Until then new events take offsets the read model already knows and may be dropped from it as duplicates (docs/operations.md, "Start-up integrity check")';
