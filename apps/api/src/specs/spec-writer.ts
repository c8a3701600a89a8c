import { Inject, Injectable } from '@nestjs/common';
import { Clock, DomainError, EventEnvelope, IdGenerator, SessionCatalog, SpecContext, StoredSpec } from '@waymark/domain';
import { SPEC_STORE, SpecStore } from '@waymark/session-store';
import { CLOCK, ID_GENERATOR } from '../shared/domain.providers';
import { SpecCatalogSync } from './spec-catalog.sync';

type SpecDecision = (existing: StoredSpec | undefined, context: SpecContext) => { stored: StoredSpec; event: EventEnvelope };

/** Shared by the spec commands: read, decide, save with compare-and-set, update the catalog. */
@Injectable()
export class SpecWriter {
  constructor(
    private readonly catalog: SessionCatalog,
    private readonly sync: SpecCatalogSync,
    @Inject(SPEC_STORE) private readonly store: SpecStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly newId: IdGenerator,
  ) {}

  async write(product: string, tag: string, requestId: string | undefined, decide: SpecDecision): Promise<StoredSpec> {
    this.catalog.requireProduct(product);
    const existing = await this.store.get(product, tag);
    const { stored, event } = decide(existing, { product, env: '*', now: this.clock(), eventId: this.newId(), meta: { requestId, source: 'api' } });
    if (!(await this.store.save(stored, existing?.revision ?? 0, [event]))) {
      throw DomainError.forField('SESSION_SPEC_CONFLICT', 'tag', `session spec '${tag}' changed concurrently; read it again and retry`);
    }
    this.sync.apply(stored);
    return stored;
  }
}
