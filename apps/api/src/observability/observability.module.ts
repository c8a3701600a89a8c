import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { MetricsModule } from './metrics.module';
import { MetricsWiring } from './metrics.wiring';
import { readinessProvider } from './readiness.provider';

@Module({
  imports: [MetricsModule],
  controllers: [HealthController, MetricsController],
  providers: [readinessProvider, MetricsWiring],
})
export class ObservabilityModule {}
