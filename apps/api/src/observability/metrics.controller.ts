import { Controller, Get, Res } from '@nestjs/common';
import { WaymarkMetrics } from '@waymark/metrics';
import { FastifyReply } from 'fastify';

/** Prometheus scrape endpoint. Public like health: it holds counts, never data or secrets. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: WaymarkMetrics) {}

  @Get()
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    void reply.header('content-type', this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
