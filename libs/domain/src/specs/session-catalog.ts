import { DomainError } from '../errors/domain-error';
import { ProductDefinition, SessionSpec } from './session-spec';

/**
 * Products and envs (from configuration) and the current session specs (kept up to
 * date by the spec store). Lookups are in memory because every start-session needs
 * one. Each miss names the field of the request at fault.
 */
export class SessionCatalog {
  private readonly products: ReadonlyMap<string, ProductDefinition>;
  private readonly specs = new Map<string, Map<string, SessionSpec>>();

  constructor(products: readonly ProductDefinition[]) {
    this.products = new Map(products.map((product) => [product.tag, product]));
  }

  /** The product, checked; with `env`, the env is checked too. */
  requireProduct(product: string, env?: string): ProductDefinition {
    const definition = this.products.get(product);
    if (!definition) {
      throw DomainError.forField('PRODUCT_NOT_FOUND', 'product', `product '${product}' is not defined`);
    }
    if (env !== undefined && !definition.envs.includes(env)) {
      throw DomainError.forField('ENV_NOT_FOUND', 'env', `env '${env}' is not defined for product '${product}'`);
    }
    return definition;
  }

  resolve(product: string, env: string, tag: string): SessionSpec {
    this.requireProduct(product, env);
    const spec = this.specs.get(product)?.get(tag);
    if (!spec) {
      throw DomainError.forField('SESSION_SPEC_NOT_FOUND', 'tag', `session tag '${tag}' is not defined for product '${product}'`);
    }
    return spec;
  }

  find(product: string, tag: string): SessionSpec | undefined {
    return this.specs.get(product)?.get(tag);
  }

  specsOf(product: string): SessionSpec[] {
    return [...(this.specs.get(product)?.values() ?? [])];
  }

  listProducts(): readonly ProductDefinition[] {
    return [...this.products.values()];
  }

  put(product: string, spec: SessionSpec): void {
    let byTag = this.specs.get(product);
    if (!byTag) {
      byTag = new Map();
      this.specs.set(product, byTag);
    }
    byTag.set(spec.tag, spec);
  }

  remove(product: string, tag: string): void {
    this.specs.get(product)?.delete(tag);
  }
}
