import { EventEnvelope, StoredSpec } from '@waymark/domain';

export const SPEC_STORE = Symbol('SPEC_STORE');

/** Current session specs, each saved together with the event that changed it. */
export interface SpecStore {
  /** Every spec of every product, deleted ones included (their revision still counts). */
  list(): Promise<StoredSpec[]>;
  get(product: string, tag: string): Promise<StoredSpec | undefined>;
  /**
   * Saves if the stored revision is still `expectedRevision` (0: not stored yet);
   * resolves false, writing nothing, when another change got there first.
   */
  save(stored: StoredSpec, expectedRevision: number, events: readonly EventEnvelope[]): Promise<boolean>;
}
