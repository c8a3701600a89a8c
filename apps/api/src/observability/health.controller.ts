import { ClickHouseClient } from '@clickhouse/client';
import { Controller, Get, Inject, Optional, Res } from '@nestjs/common';
import { REDIS } from '@waymark/storage';
import Redis from 'ioredis';
import { EVENT_LOG, EventLog } from '@waymark/event-log';
import { ProjectorRunner, READ_MODEL_GROUP } from '@waymark/projection';
import { CLICKHOUSE } from '@waymark/read-model';
import { FastifyReply } from 'fastify';
import { API_CONFIG } from '../config/api-config.provider';
import { ApiConfig } from '../config/api.config';

type Check = { ok: boolean; detail?: string; [key: string]: unknown };

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS).unref())]);
}

async function check(run: () => Promise<Record<string, unknown> | void>): Promise<Check> {
  try {
    return { ok: true, ...((await withTimeout(run())) ?? {}) };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
}

/**
 * Liveness says the process answers; readiness says it can do its job: the event log
 * and ClickHouse answer, and the projector is running and not too far behind.
 */
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    @Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    // Embedded mode: the projector runs here and its lag is this process's concern.
    @Optional() private readonly projector?: ProjectorRunner,
    // Distributed mode: session state is in Redis.
    @Optional() @Inject(REDIS) private readonly redis?: Redis,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const [eventLog, clickhouse] = await Promise.all([
      check(async () => ({ lag: (await this.eventLog.describeLag(READ_MODEL_GROUP)).total })),
      check(async () => {
        const ping = await this.clickhouse.ping();
        if (!ping.success) throw ping.error;
      }),
    ]);
    const checks: Record<string, Check> = { eventLog, clickhouse };
    if (this.redis) {
      const redis = this.redis;
      checks.redis = await check(async () => {
        await redis.ping();
      });
    }
    if (this.projector) {
      const lag = typeof eventLog.lag === 'number' ? eventLog.lag : undefined;
      checks.projector = {
        ok: this.projector.projector.isRunning && lag !== undefined && lag <= this.config.readyMaxLagEvents,
        running: this.projector.projector.isRunning,
        lag,
        maxLag: this.config.readyMaxLagEvents,
      };
    }
    const ok = Object.values(checks).every((entry) => entry.ok);
    void reply.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'unavailable', checks };
  }
}
