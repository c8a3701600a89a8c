import { DynamicModule } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AsyncContext, CommandBus, CqrsModule, CqrsModuleOptions, ICommand, IQuery, QueryBus } from '@nestjs/cqrs';
import { DomainError } from '@waymark/domain';
import { WaymarkMetrics } from '@waymark/metrics';
import { MetricsModule } from './metrics.module';

/** Runs one message through a bus and counts it by class name and outcome: `ok`, the DomainError's code, or `error`. */
async function counted<R>(metrics: WaymarkMetrics, message: object, run: () => Promise<R>): Promise<R> {
  const type = message.constructor.name;
  try {
    const result = await run();
    metrics.commands.inc({ type, outcome: 'ok' });
    return result;
  } catch (error) {
    metrics.commands.inc({ type, outcome: error instanceof DomainError ? error.code : 'error' });
    throw error;
  }
}

/** The command bus, each command counted in `waymark_commands_total`. */
export class MeteredCommandBus extends CommandBus {
  constructor(
    moduleRef: ModuleRef,
    private readonly metrics: WaymarkMetrics,
    options?: CqrsModuleOptions,
  ) {
    super(moduleRef, options);
  }

  override execute<T extends ICommand, R = unknown>(command: T, context?: AsyncContext): Promise<R> {
    return counted(this.metrics, command, () => super.execute<T, R>(command, context));
  }
}

/** The query bus, each query counted in `waymark_commands_total` (same counter, by type). */
export class MeteredQueryBus extends QueryBus {
  constructor(
    moduleRef: ModuleRef,
    private readonly metrics: WaymarkMetrics,
    options?: CqrsModuleOptions,
  ) {
    super(moduleRef, options);
  }

  override execute<T extends IQuery, R = unknown>(query: T, asyncContext?: AsyncContext): Promise<R> {
    return counted(this.metrics, query, () => (asyncContext ? super.execute<T, R>(query, asyncContext) : super.execute<T, R>(query)));
  }
}

/**
 * `CqrsModule.forRoot(options)` with the metered buses provided in place of the default ones:
 * a dynamic module's providers come after its static ones, so these replace
 * CqrsModule's CommandBus and QueryBus under the same tokens. CqrsModule registers the
 * handlers on them at bootstrap, and everything that injects CommandBus or QueryBus
 * (controllers, the EventBus's sagas) gets them: no method is replaced on a live object.
 */
export function meteredCqrsModule(options: CqrsModuleOptions = {}): DynamicModule {
  const cqrs = CqrsModule.forRoot(options);
  return {
    ...cqrs,
    imports: [...(cqrs.imports ?? []), MetricsModule],
    providers: [
      ...(cqrs.providers ?? []),
      {
        provide: CommandBus,
        useFactory: (moduleRef: ModuleRef, metrics: WaymarkMetrics) => new MeteredCommandBus(moduleRef, metrics, options),
        inject: [ModuleRef, WaymarkMetrics],
      },
      {
        provide: QueryBus,
        useFactory: (moduleRef: ModuleRef, metrics: WaymarkMetrics) => new MeteredQueryBus(moduleRef, metrics, options),
        inject: [ModuleRef, WaymarkMetrics],
      },
    ],
  };
}
