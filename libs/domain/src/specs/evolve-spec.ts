import { SpecEvent, WaymarkEvent, assertNever, isSpecEvent } from '../events/waymark-events';
import type { StoredSpec } from './session-spec.decisions';

/**
 * The one state transition of a spec: the stored spec after one more event (pure).
 * Undefined when the event does not apply (deleting a spec never stored). Events that
 * are not about specs leave it as it is.
 */
export function evolveSpec(stored: StoredSpec | undefined, event: WaymarkEvent): StoredSpec | undefined {
  if (!isSpecEvent(event)) return stored;
  return evolveSpecEvent(stored, event);
}

function evolveSpecEvent(stored: StoredSpec | undefined, event: SpecEvent): StoredSpec | undefined {
  switch (event.type) {
    case 'SessionSpecCreated':
    case 'SessionSpecUpdated':
      return { product: event.product, spec: event.data.spec, revision: event.data.revision, deleted: false };
    case 'SessionSpecDeleted':
      return stored && { ...stored, revision: event.data.revision, deleted: true };
    default:
      return assertNever(event, 'spec event');
  }
}
