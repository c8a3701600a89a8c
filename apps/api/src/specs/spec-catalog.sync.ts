import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Clock, IdGenerator, SessionCatalog, SessionSpec, StoredSpec, decideCreateSpec } from '@waymark/domain';
import { SPEC_STORE, SpecStore } from '@waymark/session-store';
import { API_CONFIG } from '../config/api-config.provider';
import { ApiConfig } from '../config/api.config';
import { CLOCK, ID_GENERATOR, SEED_SPECS } from '../shared/domain.providers';

/**
 * Keeps the in-memory catalog equal to the spec store: loaded at start, updated by
 * this process's own changes at once, and re-read periodically so that changes made
 * through another API instance arrive too. At start it also creates the specs named
 * in the config file that the store has never had (a spec deleted at run time is not
 * brought back).
 */
@Injectable()
export class SpecCatalogSync implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('specs');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly catalog: SessionCatalog,
    @Inject(SPEC_STORE) private readonly store: SpecStore,
    @Inject(SEED_SPECS) private readonly seeds: ReadonlyArray<{ product: string; spec: SessionSpec }>,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly newId: IdGenerator,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.seed();
    await this.reload();
    this.timer = setInterval(
      () => void this.reload().catch((error: unknown) => this.logger.warn({ err: error }, 'spec reload failed')),
      this.config.specReloadMs,
    ).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  apply(stored: StoredSpec): void {
    if (stored.deleted) this.catalog.remove(stored.product, stored.spec.tag);
    else this.catalog.put(stored.product, stored.spec);
  }

  private async reload(): Promise<void> {
    for (const stored of await this.store.list()) {
      if (this.catalog.listProducts().some((product) => product.tag === stored.product)) this.apply(stored);
    }
  }

  private async seed(): Promise<void> {
    const created: string[] = [];
    for (const { product, spec } of this.seeds) {
      if (await this.store.get(product, spec.tag)) continue;
      const { stored, event } = decideCreateSpec(undefined, spec, {
        product,
        env: '*',
        now: this.clock(),
        eventId: this.newId(),
        meta: { source: 'config' },
      });
      if (await this.store.save(stored, 0, [event])) created.push(`${product}/${spec.tag}`);
    }
    if (created.length > 0) this.logger.log({ created }, 'session specs created from the config file');
  }
}
