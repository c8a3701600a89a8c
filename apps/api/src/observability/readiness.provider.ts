import { ClickHouseClient } from '@clickhouse/client';
import { Provider } from '@nestjs/common';
import { EVENT_LOG, EventLog } from '@waymark/event-log';
import { ShutdownGate } from '@waymark/http';
import { ReadinessProbe, WaymarkMetrics } from '@waymark/metrics';
import { ProjectorRunner, READ_MODEL_GROUP } from '@waymark/projection';
import { CLICKHOUSE } from '@waymark/read-model';
import { WriteFailureState } from '@waymark/sqlite';
import { LOG_INTEGRITY, LOG_WRITE_FAILURES, LogIntegrityMonitor, REDIS } from '@waymark/storage';
import Redis from 'ioredis';
import { API_CONFIG } from '../config/api-config.provider';
import { ApiConfig } from '../config/api.config';

/**
 * The API's readiness, both modes: the log answers and takes writes, its integrity
 * held at start-up, ClickHouse answers, Redis answers (distributed), the projector
 * in this process (embedded) is moving, and the instance is not shutting down.
 */
export const readinessProvider: Provider = {
  provide: ReadinessProbe,
  useFactory: (
    eventLog: EventLog,
    clickhouse: ClickHouseClient,
    config: ApiConfig,
    metrics: WaymarkMetrics,
    shutdown: ShutdownGate,
    writes?: WriteFailureState,
    integrity?: LogIntegrityMonitor,
    runner?: ProjectorRunner,
    redis?: Redis,
  ) =>
    new ReadinessProbe(
      {
        describeLag: async () => (await eventLog.describeLag(READ_MODEL_GROUP)).total,
        pingClickHouse: async () => {
          const ping = await clickhouse.ping();
          if (!ping.success) throw ping.error;
        },
        pingRedis: redis
          ? async () => {
              await redis.ping();
            }
          : undefined,
        projector: runner?.projector,
        logWrites: writes ? () => writes.snapshot : undefined,
        logIntegrity: integrity ? () => integrity.reasons() : undefined,
        shuttingDownSince: () => shutdown.closingSince,
      },
      {
        maxLagEvents: config.readyMaxLagEvents,
        projectorMaxFailures: config.readyProjectorMaxFailures,
        projectorStallSeconds: config.readyProjectorStallSeconds,
      },
      metrics,
    ),
  inject: [
    EVENT_LOG,
    CLICKHOUSE,
    API_CONFIG,
    WaymarkMetrics,
    ShutdownGate,
    { token: LOG_WRITE_FAILURES, optional: true },
    { token: LOG_INTEGRITY, optional: true },
    { token: ProjectorRunner, optional: true },
    { token: REDIS, optional: true },
  ],
};
