import { Module } from '@nestjs/common';
import { WaymarkMetrics } from '@waymark/metrics';

/** The process's one WaymarkMetrics, for the modules that record into it (observability, the metered buses). */
@Module({
  providers: [{ provide: WaymarkMetrics, useValue: new WaymarkMetrics() }],
  exports: [WaymarkMetrics],
})
export class MetricsModule {}
