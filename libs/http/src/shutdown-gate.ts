import { Global, Injectable, Logger, Module, OnModuleDestroy } from '@nestjs/common';

/**
 * Whether this instance has begun to shut down, from the first moment of it: the HTTP
 * edge refuses new requests (503 SHUTTING_DOWN) and readiness answers `shutting_down`
 * for the whole drain, so that load balancers stop routing here while the projector
 * finishes its batch and in-flight requests complete.
 *
 * Why `onModuleDestroy`: it is the first thing Nest runs on shutdown, both on a signal
 * (enableShutdownHooks) and on `app.close()`, and every module's `onModuleDestroy` runs
 * before any `beforeApplicationShutdown` (where the projector stops) and before the
 * HTTP server closes. Fastify's own `preClose` comes only after all of those, which
 * left the drain answering as if nothing were happening. (A slow `onModuleDestroy`
 * added elsewhere could run before this one: keep those quick, or move them.)
 */
@Injectable()
export class ShutdownGate implements OnModuleDestroy {
  private startedAt: number | undefined;

  get closing(): boolean {
    return this.startedAt !== undefined;
  }

  /** When shutdown began (ms since the epoch), undefined while serving. */
  get closingSince(): number | undefined {
    return this.startedAt;
  }

  begin(): void {
    if (this.startedAt !== undefined) return;
    this.startedAt = Date.now();
    new Logger('shutdown').log(
      'shutting down: new requests are answered 503 SHUTTING_DOWN and /health/ready reports shutting_down while in-flight work drains',
    );
  }

  onModuleDestroy(): void {
    this.begin();
  }
}

/** Provides the one ShutdownGate of an app to every module (readiness reads it too). */
@Global()
@Module({ providers: [ShutdownGate], exports: [ShutdownGate] })
export class ShutdownModule {}
