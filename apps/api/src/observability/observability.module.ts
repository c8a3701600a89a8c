import { Module } from '@nestjs/common';
import { WaymarkMetrics } from '@waymark/metrics';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { MetricsWiring } from './metrics.wiring';
import { readinessProvider } from './readiness.provider';

@Module({
  controllers: [HealthController, MetricsController],
  providers: [{ provide: WaymarkMetrics, useValue: new WaymarkMetrics() }, readinessProvider, MetricsWiring],
})
export class ObservabilityModule {}
