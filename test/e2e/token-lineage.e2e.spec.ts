import { describeTokenLineage } from './token-lineage.scenarios';

// Embedded; distributed-token-lineage.e2e.spec.ts runs the same scenarios on Kafka, Redis and a ClickHouse server.
describeTokenLineage('embedded');
