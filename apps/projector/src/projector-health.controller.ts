import { ClickHouseClient } from '@clickhouse/client';
import { Controller, Get, Inject, OnModuleInit, Optional, Res } from '@nestjs/common';
import { EVENT_LOG, EventLog } from '@waymark/event-log';
import { ShutdownGate } from '@waymark/http';
import { ReadinessProbe, WaymarkMetrics } from '@waymark/metrics';
import { ProjectorRunner, READ_MODEL_GROUP } from '@waymark/projection';
import { CLICKHOUSE } from '@waymark/read-model';
import { WriteFailureState } from '@waymark/sqlite';
import { LOG_INTEGRITY, LOG_WRITE_FAILURES, LogIntegrityMonitor } from '@waymark/storage';
import { FastifyReply } from 'fastify';
import { PROJECTOR_CONFIG, ProjectorConfig } from './config/projector.config';

/**
 * The projector's own small HTTP surface, for orchestrators and Prometheus: liveness,
 * readiness (the same judgement and reason codes as the API's: ClickHouse answers, the
 * log answers, the loop runs, is not failing and is moving), metrics.
 */
@Controller()
export class ProjectorHealthController implements OnModuleInit {
  private readonly readiness: ReadinessProbe;

  constructor(
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    @Inject(CLICKHOUSE) clickhouse: ClickHouseClient,
    private readonly runner: ProjectorRunner,
    private readonly metrics: WaymarkMetrics,
    @Inject(PROJECTOR_CONFIG) config: ProjectorConfig,
    shutdown: ShutdownGate,
    // Embedded mode: checkpoints and dead letters go through the group-commit writer.
    @Optional() @Inject(LOG_WRITE_FAILURES) writes?: WriteFailureState,
    @Optional() @Inject(LOG_INTEGRITY) private readonly integrity?: LogIntegrityMonitor,
  ) {
    this.readiness = new ReadinessProbe(
      {
        describeLag: async () => (await eventLog.describeLag(READ_MODEL_GROUP)).total,
        pingClickHouse: async () => {
          const ping = await clickhouse.ping();
          if (!ping.success) throw ping.error;
        },
        projector: runner.projector,
        // In distributed mode the producer state tracks the API's appends, which this
        // process does not make: only the embedded writer's state is this process's.
        logWrites: writes && !config.distributed ? () => writes.snapshot : undefined,
        logIntegrity: integrity ? () => integrity.reasons() : undefined,
        shuttingDownSince: () => shutdown.closingSince,
      },
      {
        maxLagEvents: config.readyMaxLagEvents,
        projectorMaxFailures: config.readyProjectorMaxFailures,
        projectorStallSeconds: config.readyProjectorStallSeconds,
      },
      metrics,
    );
  }

  onModuleInit(): void {
    this.runner.projector.observe({
      batchProjected: ({ projected, deadLettered, erased }) => {
        this.metrics.projectedBatchSize.observe(projected + deadLettered);
        this.metrics.projectedEvents.inc(projected);
        if (erased > 0) this.metrics.projectorErasedEvents.inc(erased);
        if (deadLettered > 0) this.metrics.deadLetters.inc({ group: READ_MODEL_GROUP }, deadLettered);
      },
      attemptFailed: () => this.metrics.projectorFailures.inc(),
    });
    this.readiness.exposeOnScrape();
    this.metrics.logIntegrityMissingEvents.set(this.integrity?.report?.missingEvents ?? 0);
  }

  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  @Get('health/ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const { ready, reasons, checks } = await this.readiness.evaluate();
    void reply.status(ready ? 200 : 503);
    return { status: ready ? 'ok' : 'unavailable', reasons, checks };
  }

  @Get('metrics')
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const lag = await this.eventLog.describeLag(READ_MODEL_GROUP).catch(() => undefined);
    if (lag) this.metrics.projectorLag.set({ group: READ_MODEL_GROUP }, lag.total);
    void reply.header('content-type', this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
