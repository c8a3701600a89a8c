/**
 * A session's refresh-token family (docs/token-lineage.md), built from its lifecycle
 * events in time order. Tokens are named by generation: 0 is minted by the start, n by
 * the nth rotation, which spends n − 1 (its parent). A reuse incident is a branch off
 * the chain: a spent generation presented again, which ends the family.
 */
export interface LineageGeneration {
  generation: number;
  /** The token this one replaced; null for generation 0. */
  parentGeneration: number | null;
  /** The event that minted it: the SessionStarted or the SessionRefreshed. */
  mintedBy: string;
  mintedAt: string;
  /** The rotation that spent it, when it was spent. */
  spentBy: string | null;
  spentAt: string | null;
  /** Presented again after it was spent: the incident's event id. */
  replayedBy: string | null;
}

export interface LineageIncident {
  eventId: string;
  occurredAt: string;
  replayedGeneration: number;
  currentGeneration: number;
  /** When the replayed token was spent: from the incident, else from its rotation here. */
  spentAt: string | null;
  sinceSpentMs: number | null;
  /** The request metadata, sealed with the user's key (openers replace it with `request`). */
  sealedRequest: string | null;
}

export interface LineageRevocation {
  eventId: string;
  occurredAt: string;
  reason: string;
}

export interface SessionLineage {
  generations: LineageGeneration[];
  incidents: LineageIncident[];
  revocation: LineageRevocation | null;
}

/** One lifecycle event as the lineage reads it (`data` parsed). */
export interface LineageEvent {
  id: string;
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/** The event types a lineage is made of (the SQL filter and the builder agree on these). */
export const LINEAGE_EVENT_TYPES = ['SessionStarted', 'SessionRefreshed', 'RefreshTokenReused', 'SessionRevoked'] as const;

const numberOr = (value: unknown, fallback: number): number => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);
const stringOr = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * The family from the events (any order of arrival; they are sorted by time, then id).
 * A refresh written before lineage was recorded has no `parentGeneration`: its parent
 * is `generation − 1`, which is what every rotation has always spent. A duplicate event
 * (same id) counts once.
 */
export function buildLineage(events: readonly LineageEvent[]): SessionLineage {
  const seen = new Set<string>();
  const ordered = [...events]
    .filter((event) => !seen.has(event.id) && seen.add(event.id))
    .sort((a, b) => (a.occurredAt === b.occurredAt ? (a.id < b.id ? -1 : 1) : a.occurredAt < b.occurredAt ? -1 : 1));
  const byGeneration = new Map<number, LineageGeneration>();
  const incidents: LineageIncident[] = [];
  let revocation: LineageRevocation | null = null;
  for (const event of ordered) {
    switch (event.type) {
      case 'SessionStarted':
        byGeneration.set(0, mint(0, null, event));
        break;
      case 'SessionRefreshed': {
        const generation = numberOr(event.data.generation, -1);
        if (generation < 1) break;
        const parentGeneration = numberOr(event.data.parentGeneration, generation - 1);
        byGeneration.set(generation, mint(generation, parentGeneration, event));
        const parent = byGeneration.get(parentGeneration);
        if (parent && parent.spentBy === null) Object.assign(parent, { spentBy: event.id, spentAt: event.occurredAt });
        break;
      }
      case 'RefreshTokenReused': {
        const replayedGeneration = numberOr(event.data.replayedGeneration, -1);
        const replayed = byGeneration.get(replayedGeneration);
        if (replayed && replayed.replayedBy === null) replayed.replayedBy = event.id;
        const spentAt = stringOr(event.data.spentAt) ?? replayed?.spentAt ?? null;
        const sinceSpentMs =
          typeof event.data.sinceSpentMs === 'number' ? event.data.sinceSpentMs : spentAt ? Date.parse(event.occurredAt) - Date.parse(spentAt) : null;
        incidents.push({
          eventId: event.id,
          occurredAt: event.occurredAt,
          replayedGeneration,
          currentGeneration: numberOr(event.data.currentGeneration, -1),
          spentAt,
          sinceSpentMs,
          sealedRequest: stringOr(event.data.sealedRequest),
        });
        break;
      }
      case 'SessionRevoked':
        revocation ??= { eventId: event.id, occurredAt: event.occurredAt, reason: stringOr(event.data.reason) ?? 'unknown' };
        break;
    }
  }
  const generations = [...byGeneration.values()].sort((a, b) => a.generation - b.generation);
  return { generations, incidents, revocation };
}

function mint(generation: number, parentGeneration: number | null, event: LineageEvent): LineageGeneration {
  return { generation, parentGeneration, mintedBy: event.id, mintedAt: event.occurredAt, spentBy: null, spentAt: null, replayedBy: null };
}
