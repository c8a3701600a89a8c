import { Controller, Get, Res } from '@nestjs/common';
import { metricsTextSchema } from '@waymark/contract';
import { WaymarkMetrics } from '@waymark/metrics';
import { FastifyReply } from 'fastify';
import { ApiOperation } from '../openapi/api-operation.decorator';

/** Prometheus scrape endpoint. Public like health: it holds counts, never data or secrets. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: WaymarkMetrics) {}

  @Get()
  @ApiOperation({
    operationId: 'getMetrics',
    tag: 'health',
    summary: 'Prometheus metrics',
    responses: { 200: { description: 'Prometheus text exposition', contentType: 'text/plain', schema: metricsTextSchema } },
  })
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    void reply.header('content-type', this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
