import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { SessionCatalog } from '@waymark/domain';
import { SPEC_STORE, SpecStore } from '@waymark/session-store';
import { ListSpecsQuery } from './list-specs.query';

@QueryHandler(ListSpecsQuery)
export class ListSpecsHandler implements IQueryHandler<ListSpecsQuery> {
  constructor(
    private readonly catalog: SessionCatalog,
    @Inject(SPEC_STORE) private readonly store: SpecStore,
  ) {}

  async execute(query: ListSpecsQuery) {
    this.catalog.requireProduct(query.product);
    const specs = (await this.store.list()).filter((stored) => stored.product === query.product && !stored.deleted);
    return { product: query.product, specs: specs.map(({ product, revision, spec }) => ({ product, revision, spec })) };
  }
}
