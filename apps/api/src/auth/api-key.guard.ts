import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyRole } from '@waymark/config';
import { Clock, DomainError, RateLimitedError } from '@waymark/domain';
import { FastifyRequest } from 'fastify';
import { CLOCK } from '../shared/domain.providers';
import { ApiKeyRegistry } from './api-key-registry';
import { Principal, allowsEnv, allowsProduct } from './principal';
import { RateLimiter } from './rate-limiter';
import { REQUIRED_ROLE } from './require-role.decorator';

export const API_KEY_DEFAULT_RATE_LIMIT = Symbol('API_KEY_DEFAULT_RATE_LIMIT');

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/**
 * Authenticates the key (401), checks its role (403), spends its rate (429), and checks
 * that the product and env the request names are within the key's scope (403).
 * Scope is read from the route's `:product`, the body or the query; a value of the
 * wrong type is left for validation to refuse with 400.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly limiter = new RateLimiter();

  constructor(
    private readonly reflector: Reflector,
    private readonly registry: ApiKeyRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(API_KEY_DEFAULT_RATE_LIMIT) private readonly defaultLimit: { perSecond: number; burst: number },
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<readonly ApiKeyRole[] | undefined>(REQUIRED_ROLE, [context.getHandler(), context.getClass()]);
    if (!roles) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = this.registry.authenticate(request.headers.authorization);
    if (!roles.some((role) => principal.roles.has(role))) {
      const needed = roles.map((role) => `'${role}'`).join(' or ');
      throw new DomainError('FORBIDDEN', `this API key does not have the ${needed} role this operation needs`);
    }
    if (principal.keyId !== 'bootstrap') {
      const wait = this.limiter.take(principal.keyId, principal.rateLimit ?? this.defaultLimit, this.clock());
      if (wait > 0) throw new RateLimitedError(wait);
    }
    this.checkScope(principal, request);
    request.principal = principal;
    return true;
  }

  private checkScope(principal: Principal, request: AuthenticatedRequest): void {
    const params = (request.params ?? {}) as Record<string, unknown>;
    const body = request.body !== null && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {};
    const query = (request.query ?? {}) as Record<string, unknown>;
    const product = [params.product, body.product, query.product].find((value): value is string => typeof value === 'string');
    const env = [params.env, body.env, query.env].find((value): value is string => typeof value === 'string');
    if (product !== undefined && !allowsProduct(principal, product)) {
      throw DomainError.forField('FORBIDDEN', 'product', `this API key is not allowed on product '${product}'`);
    }
    if (env !== undefined && !allowsEnv(principal, env)) {
      throw DomainError.forField('FORBIDDEN', 'env', `this API key is not allowed on env '${env}'`);
    }
  }
}
