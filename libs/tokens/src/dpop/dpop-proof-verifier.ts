import { DPOP_JTI_TTL_MS, DpopBinding, DpopKeyCache, DpopPresentation, checkDpopProof } from './dpop-proof';
import { DpopReplayGuard } from './dpop-replay-guard';

export type DpopVerdict = { valid: true } | { valid: false; problem: string };

/**
 * A DPoP proof checked in full: the proof itself (checkDpopProof), then its `jti`
 * claimed in the replay guard, last, so that proofs failing a check never take room
 * in it. The guard's key joins the thumbprint (fixed length) and the jti: one client
 * cannot spend another's jti.
 */
export class DpopProofVerifier {
  private readonly keys = new DpopKeyCache();

  constructor(private readonly replays: DpopReplayGuard) {}

  async verify(presented: DpopPresentation, binding: DpopBinding, now: number): Promise<DpopVerdict> {
    const check = checkDpopProof(presented, binding, now, this.keys);
    if (!check.valid) return check;
    const claim = await this.replays.claim(`${binding.jkt}${check.jti}`, DPOP_JTI_TTL_MS);
    if (claim === 'replayed') return { valid: false, problem: 'the proof was already used (jti)' };
    if (claim === 'full') return { valid: false, problem: 'too many proofs to remember right now; retry with a new proof shortly' };
    return { valid: true };
  }
}
