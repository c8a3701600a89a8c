import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError, SessionCatalog } from '@waymark/domain';
import { SPEC_STORE, SpecStore } from '@waymark/session-store';
import { SpecView } from '@waymark/contract';
import { GetSpecQuery } from './get-spec.query';

@QueryHandler(GetSpecQuery)
export class GetSpecHandler implements IQueryHandler<GetSpecQuery, SpecView> {
  constructor(
    private readonly catalog: SessionCatalog,
    @Inject(SPEC_STORE) private readonly store: SpecStore,
  ) {}

  async execute(query: GetSpecQuery): Promise<SpecView> {
    this.catalog.requireProduct(query.product);
    const stored = await this.store.get(query.product, query.tag);
    if (!stored || stored.deleted) {
      throw DomainError.forField('SPEC_NOT_FOUND', 'tag', `session tag '${query.tag}' is not defined for product '${query.product}'`);
    }
    return { product: stored.product, revision: stored.revision, spec: stored.spec };
  }
}
