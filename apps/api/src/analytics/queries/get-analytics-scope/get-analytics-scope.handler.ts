import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { SessionCatalog } from '@waymark/domain';
import { ApiKeyRegistry } from '../../../auth/api-key-registry';
import { allowsEnv, allowsProduct } from '../../../auth/principal';
import { AnalyticsScopeList, GetAnalyticsScopeQuery } from './get-analytics-scope.query';

@QueryHandler(GetAnalyticsScopeQuery)
export class GetAnalyticsScopeHandler implements IQueryHandler<GetAnalyticsScopeQuery, AnalyticsScopeList> {
  constructor(
    private readonly catalog: SessionCatalog,
    private readonly registry: ApiKeyRegistry,
  ) {}

  async execute({ principal }: GetAnalyticsScopeQuery): Promise<AnalyticsScopeList> {
    const products = this.catalog
      .listProducts()
      .filter((product) => allowsProduct(principal, product.tag))
      .map((product) => ({
        product: product.tag,
        name: product.name,
        envs: product.envs.filter((env) => allowsEnv(principal, env)),
        tags: this.catalog
          .specsOf(product.tag)
          .map((spec) => ({ tag: spec.tag, name: spec.name }))
          .sort((a, b) => a.tag.localeCompare(b.tag)),
      }))
      // A product none of whose envs the key may read shows nothing it could ask for.
      .filter((product) => product.envs.length > 0);
    return { openDevelopment: this.registry.openDevelopment, products };
  }
}
