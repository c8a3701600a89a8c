import { DomainError } from '../errors/domain-error';
import { EventMeta } from '../events/event-envelope';
import {
  NO_SESSION_ID,
  SESSION_SPEC_CREATED,
  SESSION_SPEC_DELETED,
  SESSION_SPEC_UPDATED,
  SessionSpecCreated,
  SessionSpecDeleted,
  SessionSpecUpdated,
} from '../events/session-events';
import { SpecEvent } from '../events/waymark-events';
import { checkSpecTimeouts } from '../sessions/session-timeouts';
import { toIsoTimestamp } from '../time/clock';
import { evolveSpec } from './evolve-spec';
import { SessionSpec } from './session-spec';

/** A spec as stored: its content, its revision, and whether it was deleted. */
export interface StoredSpec {
  product: string;
  spec: SessionSpec;
  revision: number;
  deleted: boolean;
}

export interface SpecContext {
  product: string;
  env: string;
  now: number;
  eventId: string;
  meta: EventMeta;
}

function envelopeOf(tag: string, context: SpecContext) {
  return {
    id: context.eventId,
    version: 1,
    occurredAt: toIsoTimestamp(context.now),
    product: context.product,
    env: context.env,
    tag,
    sessionId: NO_SESSION_ID,
    identifier: '',
    meta: context.meta,
  };
}

/** What a spec decision records: its one event, and the spec after it (`evolveSpec`'s fold, never built otherwise). */
export interface SpecDecision<E extends SpecEvent> {
  events: [E];
  event: E;
  stored: StoredSpec;
}

function decided<E extends SpecEvent>(existing: StoredSpec | undefined, event: E): SpecDecision<E> {
  const stored = evolveSpec(existing, event);
  if (!stored) throw new Error(`${event.type} does not apply to spec '${event.tag}'`);
  return { events: [event], event, stored };
}

/** A tag is unique within its product; a deleted tag may be defined again. */
export function decideCreateSpec(existing: StoredSpec | undefined, spec: SessionSpec, context: SpecContext): SpecDecision<SessionSpecCreated> {
  if (existing && !existing.deleted) {
    throw DomainError.forField('SESSION_SPEC_EXISTS', 'tag', `session tag '${spec.tag}' already exists in product '${context.product}'`);
  }
  checkSpecTimeouts(spec);
  const revision = (existing?.revision ?? 0) + 1;
  return decided(existing, { ...envelopeOf(spec.tag, context), type: SESSION_SPEC_CREATED, data: { spec, revision } });
}

/**
 * Updates apply to sessions started afterwards; running sessions keep the lifetimes
 * they started with. `expectedRevision`, when given, guards against lost updates.
 */
export function decideUpdateSpec(
  existing: StoredSpec | undefined,
  spec: SessionSpec,
  expectedRevision: number | undefined,
  context: SpecContext,
): SpecDecision<SessionSpecUpdated> {
  if (!existing || existing.deleted) {
    throw DomainError.forField('SPEC_NOT_FOUND', 'tag', `session tag '${spec.tag}' is not defined for product '${context.product}'`);
  }
  if (expectedRevision !== undefined && expectedRevision !== existing.revision) {
    throw DomainError.forField('SESSION_SPEC_CONFLICT', 'revision', `spec is at revision ${existing.revision}, not ${expectedRevision}`);
  }
  checkSpecTimeouts(spec);
  return decided(existing, { ...envelopeOf(spec.tag, context), type: SESSION_SPEC_UPDATED, data: { spec, revision: existing.revision + 1 } });
}

/** Deleting stops new sessions of the tag; tokens already issued stay valid until they expire. */
export function decideDeleteSpec(existing: StoredSpec | undefined, tag: string, context: SpecContext): SpecDecision<SessionSpecDeleted> {
  if (!existing || existing.deleted) {
    throw DomainError.forField('SPEC_NOT_FOUND', 'tag', `session tag '${tag}' is not defined for product '${context.product}'`);
  }
  return decided(existing, { ...envelopeOf(tag, context), type: SESSION_SPEC_DELETED, data: { revision: existing.revision + 1 } });
}
