import { createHash } from 'node:crypto';

/** What an erasure request names: one user of one product, narrowed to envs and tags when given. */
export interface ErasureRequest {
  product: string;
  identifier: string;
  /** Sorted, distinct; empty: every env. */
  envs: string[];
  /** Sorted, distinct; empty: every tag. */
  tags: string[];
  requestId?: string;
}

export function isWholeProduct(request: Pick<ErasureRequest, 'envs' | 'tags'>): boolean {
  return request.envs.length === 0 && request.tags.length === 0;
}

/**
 * Where an erasure's record is kept in the user-key store. A whole-product erasure uses
 * the identifier's lookup itself: the codec reads it to keep the user's events written
 * before crypto-shredding (identifier in the clear) out of every replay. A narrowed one
 * gets a key of its own (lookup + digest of the scope), so it neither hides the user's
 * other envs' old events nor is mistaken for a whole erasure.
 */
export function erasureRecordKey(lookup: string, request: Pick<ErasureRequest, 'envs' | 'tags'>): string {
  if (isWholeProduct(request)) return lookup;
  const scope = createHash('sha256')
    .update(JSON.stringify([request.envs, request.tags]))
    .digest('base64url')
    .slice(0, 22);
  return `${lookup}.${scope}`;
}

/** The steps of an erasure, in order; the step hook is called after each (tests crash there). */
export const ERASURE_STEPS = [
  'started',
  'sessions-revoked',
  'sessions-erased',
  'key-destroyed',
  'projector-caught-up',
  'rows-deleted',
  'event-appended',
] as const;
export type ErasureStep = (typeof ERASURE_STEPS)[number];

/**
 * An erasure's progress as the user-key store keeps it (ErasureRecord.receipt, JSON).
 * Holds no personal data: the identifier is what the caller names, never stored; the
 * subject names nobody once the key is gone.
 */
export interface ErasureProgress {
  /** The erasure's id: a new one per erasure (a repeated one after the user came back gets another). */
  id: string;
  /** The IdentifierErased event's id, chosen at the start, so a retry appends the same event. */
  eventId: string;
  /** The user's subject when the erasure started (null: the user had no key). */
  subject: string | null;
  envs: string[];
  tags: string[];
  startedAt: number;
  sessionsRevoked?: number;
  sessionsErased?: number;
  keyDestroyedAt?: number;
  readModelRowsDeleted?: Record<string, number>;
  /** Set before the append: a retry that finds it checks whether the event got in first. */
  appendStartedAt?: number;
  eventAppended?: boolean;
  erasedAt?: number;
}

export function parseProgress(receipt: string): ErasureProgress | undefined {
  try {
    const parsed = JSON.parse(receipt) as ErasureProgress;
    return typeof parsed.id === 'string' && typeof parsed.eventId === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
