import { DataSealer } from '@waymark/tokens';
import { UserKeys } from './user-keys';

/**
 * Opens session data as the read model holds it: sealed with the user's own key (what
 * the projector writes, see DecodeOptions.userSealedData), or with the token keys (rows
 * projected before per-user keys). Undefined when it opens with neither: the user was
 * erased (no key), or the token key that sealed it has left the ring.
 */
export class UserDataOpener {
  constructor(
    private readonly keys: UserKeys,
    private readonly sealer: DataSealer,
  ) {}

  async open(product: string, identifier: string, sealed: string): Promise<Record<string, unknown> | undefined> {
    // The user's key first (cached after the first read): its JWE refuses, before any
    // decryption, a header that is not the user's own (another typ or kid).
    const key = await this.keys.find(product, identifier);
    const text = key?.data.decrypt(sealed);
    if (text !== undefined) return JSON.parse(text) as Record<string, unknown>;
    try {
      return await this.sealer.open(sealed);
    } catch {
      return undefined;
    }
  }
}
