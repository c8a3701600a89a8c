import { Module } from '@nestjs/common';
import { WaymarkMetrics } from '@waymark/metrics';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { MetricsWiring } from './metrics.wiring';

@Module({
  controllers: [HealthController, MetricsController],
  providers: [{ provide: WaymarkMetrics, useValue: new WaymarkMetrics() }, MetricsWiring],
})
export class ObservabilityModule {}
