import { Inject, Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { EVENT_LOG, EventLog } from '@waymark/event-log';
import { ReadinessProbe, WaymarkMetrics } from '@waymark/metrics';
import { ProjectorRunner, READ_MODEL_GROUP } from '@waymark/projection';
import { GroupCommitWriter } from '@waymark/sqlite';
import { LOG_INTEGRITY, LogIntegrityMonitor } from '@waymark/storage';
import { FastifyInstance } from 'fastify';

/**
 * Connects the metrics to what they measure, from the outside, so the measured code
 * does not know about Prometheus: the HTTP server's response hook, the group-commit
 * writer, the projector, the log's lag and readiness at scrape, and the start-up
 * integrity check's count. Commands and queries are counted by the metered buses
 * (metered-cqrs.module.ts).
 */
@Injectable()
export class MetricsWiring implements OnModuleInit {
  constructor(
    private readonly metrics: WaymarkMetrics,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    private readonly readiness: ReadinessProbe,
    @Optional() @Inject(LOG_INTEGRITY) private readonly integrity?: LogIntegrityMonitor,
    // Embedded mode only: the projector runs in this process and writes go through SQLite.
    @Optional() private readonly projector?: ProjectorRunner,
    @Optional() private readonly writer?: GroupCommitWriter,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      this.metrics.httpDuration.observe({ route, method: request.method, status: `${Math.floor(reply.statusCode / 100)}xx` }, reply.elapsedTime / 1000);
      done();
    });

    this.writer?.onCommit(({ jobs, ms }) => {
      this.metrics.appendDuration.observe(ms / 1000);
      this.metrics.appendGroupSize.observe(jobs);
    });

    this.projector?.projector.observe({
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

    const eventLog = this.eventLog;
    this.metrics.sampleProjectorLag(READ_MODEL_GROUP, async () => (await eventLog.describeLag(READ_MODEL_GROUP)).total);
  }
}
