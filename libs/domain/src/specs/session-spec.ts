import { Duration } from './duration';
import type { SenderConstraint } from './sender-constraint';

export const DATA_FIELD_TYPES = ['string', 'number', 'boolean', 'object', 'array'] as const;
export type DataFieldType = (typeof DATA_FIELD_TYPES)[number];

/** What one field of the session data must be. */
export interface DataFieldRule {
  type: DataFieldType;
  required?: boolean;
}

/** Field rules keyed by dotted path into `data`, e.g. `{ "details.email": { "type": "string" } }`. */
export type DataSchema = Record<string, DataFieldRule>;

/** How sessions of one tag behave within a product. */
export interface SessionSpec {
  tag: string;
  name: string;
  description?: string;
  /** Dotted path into the session's `data` naming the user's identifier, e.g. `userId`. */
  selector: string;
  expiry: Duration;
  refreshExpiry: Duration;
  /**
   * A session unused for this long is refused (`reason: idle`); absent: the refresh
   * lifetime, the window a session unused that long already ended in before idle
   * timeouts existed (docs/session-timeouts.md).
   */
  idleTimeout?: Duration;
  /**
   * No session lives longer than this from its start, however often it is refreshed or
   * extended (`reason: absolute`); absent: 90 days, or the refresh lifetime if longer.
   */
  absoluteLifetime?: Duration;
  schema?: DataSchema;
  /** Whether sessions are bound to a key the client holds (DPoP); absent: `none`. */
  senderConstraint?: SenderConstraint;
}

/** Products and their envs come from configuration; their session specs are managed at run time. */
export interface ProductDefinition {
  tag: string;
  name: string;
  envs: string[];
}
