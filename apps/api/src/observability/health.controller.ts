import { Controller, Get, Res } from '@nestjs/common';
import { ReadinessProbe } from '@waymark/metrics';
import { FastifyReply } from 'fastify';

/**
 * Liveness says the process answers; readiness says it can do its job, and when it
 * cannot, why: `reasons` lists stable codes with details (docs/operations.md,
 * "Readiness reasons"), `checks` what was measured per dependency.
 */
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessProbe) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const { ready, reasons, checks } = await this.readiness.evaluate();
    void reply.status(ready ? 200 : 503);
    return { status: ready ? 'ok' : 'unavailable', reasons, checks };
  }
}
