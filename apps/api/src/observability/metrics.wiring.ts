import { Inject, Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { DomainError } from '@waymark/domain';
import { EVENT_LOG, EventLog } from '@waymark/event-log';
import { ReadinessProbe, WaymarkMetrics } from '@waymark/metrics';
import { ProjectorRunner, READ_MODEL_GROUP } from '@waymark/projection';
import { GroupCommitWriter } from '@waymark/sqlite';
import { LOG_INTEGRITY, LogIntegrityMonitor } from '@waymark/storage';
import { FastifyInstance } from 'fastify';

/**
 * Connects the metrics to what they measure, from the outside, so the measured code
 * does not know about Prometheus: the HTTP server's response hook, the command and
 * query buses, the group-commit writer, the projector, the log's lag and readiness at
 * scrape, and the start-up integrity check's count.
 */
@Injectable()
export class MetricsWiring implements OnModuleInit {
  constructor(
    private readonly metrics: WaymarkMetrics,
    private readonly adapterHost: HttpAdapterHost,
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
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

    this.meter(this.commandBus);
    this.meter(this.queryBus);

    this.writer?.onCommit(({ jobs, ms }) => {
      this.metrics.appendDuration.observe(ms / 1000);
      this.metrics.appendGroupSize.observe(jobs);
    });

    this.projector?.projector.observe({
      batchProjected: ({ projected, deadLettered }) => {
        this.metrics.projectedBatchSize.observe(projected + deadLettered);
        this.metrics.projectedEvents.inc(projected);
        if (deadLettered > 0) this.metrics.deadLetters.inc({ group: READ_MODEL_GROUP }, deadLettered);
      },
      attemptFailed: () => this.metrics.projectorFailures.inc(),
    });

    this.readiness.exposeOnScrape();
    this.metrics.logIntegrityMissingEvents.set(this.integrity?.report?.missingEvents ?? 0);

    const eventLog = this.eventLog;
    const gauge = this.metrics.projectorLag;
    // Sampled when Prometheus scrapes, not on every event.
    Object.assign(gauge, {
      collect: async () => {
        gauge.set({ group: READ_MODEL_GROUP }, (await eventLog.describeLag(READ_MODEL_GROUP)).total);
      },
    });
  }

  /** Counts every message through a bus by its class name and outcome. */
  private meter(bus: CommandBus | QueryBus): void {
    const execute = bus.execute.bind(bus) as (message: object) => Promise<unknown>;
    const counter = this.metrics.commands;
    (bus as { execute: (message: object) => Promise<unknown> }).execute = async (message: object) => {
      const type = message.constructor.name;
      try {
        const result = await execute(message);
        counter.inc({ type, outcome: 'ok' });
        return result;
      } catch (error) {
        counter.inc({ type, outcome: error instanceof DomainError ? error.code : 'error' });
        throw error;
      }
    };
  }
}
