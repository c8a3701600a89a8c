import { TEST_MODE } from '../support/api-app';
import { describeTokenLineage } from './token-lineage.scenarios';

// The distributed Jest project only (its setup makes startApi build Kafka, Redis and a
// ClickHouse server); token-lineage.e2e.spec.ts runs the same scenarios embedded.
if (TEST_MODE !== 'distributed') throw new Error('run with --selectProjects distributed');
describeTokenLineage('distributed');
