import { Controller, Get, Res } from '@nestjs/common';
import { Readiness, liveSchema, readinessSchema } from '@waymark/contract';
import { ReadinessProbe } from '@waymark/metrics';
import { FastifyReply } from 'fastify';
import { ApiOperation } from '../openapi/api-operation.decorator';

/**
 * Liveness says the process answers; readiness says it can do its job, and when it
 * cannot, why: `reasons` lists stable codes with details (docs/operations.md,
 * "Readiness reasons"), `checks` what was measured per dependency.
 */
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessProbe) {}

  @Get('live')
  @ApiOperation({ operationId: 'getLiveness', tag: 'health', summary: 'Liveness', responses: { 200: { description: 'Alive', schema: liveSchema } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    operationId: 'getReadiness',
    tag: 'health',
    summary: 'Readiness, with the reasons when not ready',
    description: 'Reasons are stable codes (docs/operations.md, "Readiness reasons"); `checks` holds what was measured per dependency.',
    responses: {
      200: { description: 'Ready', schema: readinessSchema },
      503: { description: 'Not ready, and why', schema: readinessSchema },
    },
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<Readiness> {
    const { ready, reasons, checks } = await this.readiness.evaluate();
    void reply.status(ready ? 200 : 503);
    return { status: ready ? 'ok' : 'unavailable', reasons, checks };
  }
}
