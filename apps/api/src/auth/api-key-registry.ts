import { API_KEY_ROLES, ApiKeyEntry } from '@waymark/config';
import { DomainError } from '@waymark/domain';
import { constantTimeEqual, hashApiKeySecret, parseApiKey } from '@waymark/tokens';
import { Principal } from './principal';

/**
 * Resolves `Authorization: Bearer <key>` to a principal. Configured keys are looked up
 * by id and their secret compared, as a hash, in constant time. The bootstrap key
 * (development and tests only) holds every role on every product.
 *
 * Open development mode: outside production, when no key configuration exists at all
 * (a fresh clone: no `apiKeys` member in the config file, no bootstrap key), a request
 * without a key acts as the development principal, so the quick start works with a
 * plain curl. Any key that is sent is still checked, and configuring a single key ends
 * the mode. An empty `entries` can only mean "no member": the loader refuses
 * `"apiKeys": []` and unknown keys such as a misspelt `"apiKey"`, either of which would
 * otherwise have opened every call to everyone.
 */
export class ApiKeyRegistry {
  private readonly byId: ReadonlyMap<string, { entry: ApiKeyEntry; principal: Principal }>;
  private readonly bootstrapHash: string | undefined;

  readonly openDevelopment: boolean;

  constructor(entries: readonly ApiKeyEntry[], bootstrapKey: string | undefined, options: { production: boolean }) {
    this.openDevelopment = !options.production && entries.length === 0 && !bootstrapKey;
    this.byId = new Map(
      entries.map((entry) => [
        entry.id,
        {
          entry,
          principal: {
            keyId: entry.id,
            name: entry.name,
            product: entry.product,
            envs: new Set(entry.envs),
            roles: new Set(entry.roles),
            rateLimit: entry.rateLimit,
          },
        },
      ]),
    );
    this.bootstrapHash = bootstrapKey ? hashApiKeySecret(bootstrapKey) : undefined;
  }

  authenticate(authorization: string | undefined): Principal {
    const key = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : undefined;
    if (!key) {
      if (this.openDevelopment && authorization === undefined) return DEVELOPMENT_PRINCIPAL;
      throw new DomainError('UNAUTHORIZED', 'an API key is required: Authorization: Bearer <key>');
    }
    const parsed = parseApiKey(key);
    const known = parsed && this.byId.get(parsed.id);
    if (known && constantTimeEqual(hashApiKeySecret(parsed.secret), known.entry.secretHash)) return known.principal;
    if (this.bootstrapHash && constantTimeEqual(hashApiKeySecret(key), this.bootstrapHash)) return BOOTSTRAP_PRINCIPAL;
    throw new DomainError('UNAUTHORIZED', 'the API key is not valid');
  }
}

const BOOTSTRAP_PRINCIPAL: Principal = {
  keyId: 'bootstrap',
  name: 'WAYMARK_BOOTSTRAP_KEY',
  product: '*',
  envs: '*',
  roles: new Set(API_KEY_ROLES),
};

const DEVELOPMENT_PRINCIPAL: Principal = { ...BOOTSTRAP_PRINCIPAL, keyId: 'bootstrap', name: 'open development mode' };
