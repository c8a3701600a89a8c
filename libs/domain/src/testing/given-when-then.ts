import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { WaymarkEvent } from '../events/waymark-events';
import { LocalFacts, evolveSession } from '../sessions/evolve-session';
import { SessionRecord } from '../sessions/session-record';
import { evolveSpec } from '../specs/evolve-spec';
import type { StoredSpec } from '../specs/session-spec.decisions';

/*
 * Given(events) / When(decision) / Then(events or refusal), for Jest specs only (it
 * uses Jest's `expect`; nothing in production imports it). The state a decision sees
 * is never written by hand: it is the fold of the given events with the domain's own
 * evolve, so a spec states behaviour as what happened before and what happens next.
 */

/** A past event, with what the session store kept beside it (the refresh-token hash) when that matters. */
export type Fact = WaymarkEvent | { event: WaymarkEvent; local: LocalFacts };

type Evolve<S> = (state: S | undefined, event: WaymarkEvent, local?: LocalFacts) => S | undefined;

/** Anything a decision answers: its events are `events` (an outcome), the array itself, or none. */
function eventsOf(outcome: unknown): readonly WaymarkEvent[] {
  if (Array.isArray(outcome)) return outcome as WaymarkEvent[];
  if (typeof outcome === 'object' && outcome !== null && 'events' in outcome) return (outcome as { events: WaymarkEvent[] }).events;
  return [];
}

function localOf(outcome: unknown): LocalFacts | undefined {
  return typeof outcome === 'object' && outcome !== null && 'local' in outcome ? (outcome as { local?: LocalFacts }).local : undefined;
}

export class Then<S, D> {
  constructor(
    private readonly evolve: Evolve<S>,
    private readonly state: S | undefined,
    private readonly decide: (state: S) => D,
  ) {}

  /** The decision's outcome itself, for checks of its own. */
  outcome(): D {
    return this.decide(this.state as S);
  }

  /** The decision records exactly these events (none: an empty list). Returns the outcome for further checks. */
  then(expected: readonly WaymarkEvent[]): D {
    const outcome = this.outcome();
    expect(eventsOf(outcome)).toEqual(expected);
    return outcome;
  }

  /** The decision records no event and answers this (a refusal, a replay). */
  thenAnswers(expected: unknown): D {
    const outcome = this.outcome();
    expect(eventsOf(outcome)).toEqual([]);
    expect(outcome).toEqual(expected);
    return outcome;
  }

  /** The decision refuses by throwing a DomainError with this code. */
  thenRefuses(code: DomainErrorCode): void {
    let thrown: unknown;
    try {
      this.outcome();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect(thrown).toMatchObject({ code });
  }

  /** The state after folding the decided events (with their local facts) with evolve. */
  thenState(): S | undefined {
    const outcome = this.outcome();
    const local = localOf(outcome);
    return eventsOf(outcome).reduce<S | undefined>((state, event) => this.evolve(state, event, local), this.state);
  }
}

export class Given<S> {
  constructor(
    private readonly evolve: Evolve<S>,
    readonly state: S | undefined,
  ) {}

  /** Decides on the given state; with no given events there is none, and the decision must not read it. */
  when<D>(decide: (state: S) => D): Then<S, D> {
    return new Then(this.evolve, this.state, decide);
  }
}

function givenWith<S>(evolve: Evolve<S>, facts: readonly Fact[]): Given<S> {
  const state = facts.reduce<S | undefined>((current, fact) => {
    const [event, local] = 'event' in fact ? [fact.event, fact.local] : [fact, undefined];
    const next = evolve(current, event, local);
    if (next === undefined) throw new Error(`given ${event.type} ${event.id} does not apply`);
    return next;
  }, undefined);
  return new Given(evolve, state);
}

/** A session's past; `when` decides on the record `evolveSession` folds from it (undefined: never started). */
export function givenSession(...facts: Fact[]): Given<SessionRecord> {
  return givenWith(evolveSession, facts);
}

/** A spec's past; `when` decides on the spec `evolveSpec` folds from it. */
export function givenSpec(...facts: Fact[]): Given<StoredSpec> {
  return givenWith((state, event) => evolveSpec(state, event), facts);
}
