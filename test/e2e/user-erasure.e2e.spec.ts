import { describeUserErasure } from './user-erasure.scenarios';

// Embedded mode; distributed-user-erasure.e2e.spec.ts runs the same scenarios on Kafka, Redis and a ClickHouse server.
describeUserErasure('embedded');
