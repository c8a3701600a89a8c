import { EventEnvelope } from '@waymark/domain';

/**
 * The event made poison: its identifier gets a lone UTF-16 surrogate. The envelope check
 * has no rule against it, JSON carries it as `\ud800`, and ClickHouse refuses the row
 * (CANNOT_PARSE_ESCAPE_SEQUENCE), so it exercises the projector's bisection, the costly
 * path, rather than the envelope check's dead letters.
 */
export function poisonEvent<E extends EventEnvelope>(event: E): E {
  return { ...event, identifier: `${event.identifier}-\ud800` };
}
