import { ClickHouseClient } from '@clickhouse/client';
import { Controller, Get, Inject, OnModuleInit, Res } from '@nestjs/common';
import { EVENT_LOG, EventLog } from '@waymark/event-log';
import { WaymarkMetrics } from '@waymark/metrics';
import { ProjectorRunner, READ_MODEL_GROUP } from '@waymark/projection';
import { CLICKHOUSE } from '@waymark/read-model';
import { FastifyReply } from 'fastify';
import { PROJECTOR_CONFIG, ProjectorConfig } from './config/projector.config';

const CHECK_TIMEOUT_MS = 2000;

async function within<T>(promise: Promise<T>): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS).unref())]);
}

/**
 * The projector's own small HTTP surface, for orchestrators and Prometheus: liveness,
 * readiness (ClickHouse answers, the loop runs, lag under the threshold), metrics.
 */
@Controller()
export class ProjectorHealthController implements OnModuleInit {
  constructor(
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    @Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient,
    private readonly runner: ProjectorRunner,
    private readonly metrics: WaymarkMetrics,
    @Inject(PROJECTOR_CONFIG) private readonly config: ProjectorConfig,
  ) {}

  onModuleInit(): void {
    this.runner.projector.observe({
      batchProjected: ({ projected, deadLettered }) => {
        this.metrics.projectedBatchSize.observe(projected + deadLettered);
        this.metrics.projectedEvents.inc(projected);
        if (deadLettered > 0) this.metrics.deadLetters.inc({ group: READ_MODEL_GROUP }, deadLettered);
      },
      attemptFailed: () => this.metrics.projectorFailures.inc(),
    });
  }

  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  @Get('health/ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const clickhouse = await within(this.clickhouse.ping()).then(
      (ping) => (ping.success ? { ok: true } : { ok: false, detail: ping.error.message }),
      (error: Error) => ({ ok: false, detail: error.message }),
    );
    const lag = await within(this.eventLog.describeLag(READ_MODEL_GROUP)).then(
      (report) => report.total,
      () => undefined,
    );
    const projector = { ok: this.runner.projector.isRunning && lag !== undefined && lag <= this.config.readyMaxLagEvents, running: this.runner.projector.isRunning, lag, maxLag: this.config.readyMaxLagEvents };
    const ok = clickhouse.ok && projector.ok;
    void reply.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'unavailable', checks: { clickhouse, projector } };
  }

  @Get('metrics')
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const lag = await this.eventLog.describeLag(READ_MODEL_GROUP).catch(() => undefined);
    if (lag) this.metrics.projectorLag.set({ group: READ_MODEL_GROUP }, lag.total);
    void reply.header('content-type', this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
