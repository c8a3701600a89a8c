import { DomainError } from '../errors/domain-error';
import type { SessionSpec } from './session-spec';

/**
 * Whether a spec's sessions may, or must, be bound to a key the client holds (RFC 9449
 * DPoP, docs/dpop.md). `none` (the default, also when absent): start refuses a `jkt`,
 * so a caller never believes its tokens bound when they are not. `dpop-optional`: a
 * session started with a `jkt` is bound, one without is not, so a product can move its
 * clients over one by one. `dpop-required`: every session is bound.
 */
export const SENDER_CONSTRAINTS = ['none', 'dpop-optional', 'dpop-required'] as const;
export type SenderConstraint = (typeof SENDER_CONSTRAINTS)[number];

/**
 * The key thumbprint a session started now is bound to (undefined: not bound), or a
 * refusal naming `jkt` when the spec does not allow what the caller asks.
 */
export function senderKeyFor(spec: Pick<SessionSpec, 'tag' | 'senderConstraint'>, jkt: string | undefined): string | undefined {
  const constraint = spec.senderConstraint ?? 'none';
  if (jkt === undefined) {
    if (constraint === 'dpop-required') throw DomainError.forField('INVALID_REQUEST', 'jkt', `sessions of '${spec.tag}' must be bound to a key: give jkt`);
    return undefined;
  }
  if (constraint === 'none') {
    throw DomainError.forField('INVALID_REQUEST', 'jkt', `sessions of '${spec.tag}' are not bound to keys (the spec's senderConstraint is none)`);
  }
  return jkt;
}
