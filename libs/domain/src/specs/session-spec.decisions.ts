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
import { toIsoTimestamp } from '../time/clock';
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

/** A tag is unique within its product; a deleted tag may be defined again. */
export function decideCreateSpec(existing: StoredSpec | undefined, spec: SessionSpec, context: SpecContext) {
  if (existing && !existing.deleted) {
    throw DomainError.forField('SESSION_SPEC_EXISTS', 'tag', `session tag '${spec.tag}' already exists in product '${context.product}'`);
  }
  const revision = (existing?.revision ?? 0) + 1;
  const stored: StoredSpec = { product: context.product, spec, revision, deleted: false };
  const event: SessionSpecCreated = { ...envelopeOf(spec.tag, context), type: SESSION_SPEC_CREATED, data: { spec, revision } };
  return { stored, event };
}

/**
 * Updates apply to sessions started afterwards; running sessions keep the lifetimes
 * they started with. `expectedRevision`, when given, guards against lost updates.
 */
export function decideUpdateSpec(existing: StoredSpec | undefined, spec: SessionSpec, expectedRevision: number | undefined, context: SpecContext) {
  if (!existing || existing.deleted) {
    throw DomainError.forField('SPEC_NOT_FOUND', 'tag', `session tag '${spec.tag}' is not defined for product '${context.product}'`);
  }
  if (expectedRevision !== undefined && expectedRevision !== existing.revision) {
    throw DomainError.forField('SESSION_SPEC_CONFLICT', 'revision', `spec is at revision ${existing.revision}, not ${expectedRevision}`);
  }
  const revision = existing.revision + 1;
  const stored: StoredSpec = { product: context.product, spec, revision, deleted: false };
  const event: SessionSpecUpdated = { ...envelopeOf(spec.tag, context), type: SESSION_SPEC_UPDATED, data: { spec, revision } };
  return { stored, event };
}

/** Deleting stops new sessions of the tag; tokens already issued stay valid until they expire. */
export function decideDeleteSpec(existing: StoredSpec | undefined, tag: string, context: SpecContext) {
  if (!existing || existing.deleted) {
    throw DomainError.forField('SPEC_NOT_FOUND', 'tag', `session tag '${tag}' is not defined for product '${context.product}'`);
  }
  const revision = existing.revision + 1;
  const stored: StoredSpec = { ...existing, revision, deleted: true };
  const event: SessionSpecDeleted = { ...envelopeOf(tag, context), type: SESSION_SPEC_DELETED, data: { revision } };
  return { stored, event };
}
