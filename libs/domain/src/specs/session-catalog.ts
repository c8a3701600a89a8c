import { DomainError } from '../errors/domain-error';
import { ProductDefinition, SessionSpec } from './session-spec';

/**
 * Looks up the spec for a product, env and session tag. Each miss names the field of
 * the request at fault, because that is what a caller has to fix.
 */
export class SessionCatalog {
  private readonly products: ReadonlyMap<string, ProductDefinition>;

  constructor(products: readonly ProductDefinition[]) {
    this.products = new Map(products.map((product) => [product.tag, product]));
  }

  resolve(product: string, env: string, tag: string): SessionSpec {
    const definition = this.products.get(product);
    if (!definition) {
      throw DomainError.forField('PRODUCT_NOT_FOUND', 'product', `product '${product}' is not defined`);
    }
    if (!definition.envs.includes(env)) {
      throw DomainError.forField('ENV_NOT_FOUND', 'env', `env '${env}' is not defined for product '${product}'`);
    }
    const spec = definition.sessions.find((candidate) => candidate.tag === tag);
    if (!spec) {
      throw DomainError.forField('SESSION_SPEC_NOT_FOUND', 'tag', `session tag '${tag}' is not defined for product '${product}'`);
    }
    return spec;
  }

  list(): readonly ProductDefinition[] {
    return [...this.products.values()];
  }
}
