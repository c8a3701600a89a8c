import { EventEnvelope } from './event-envelope';

export const SESSION_STARTED = 'SessionStarted';

export interface SessionStartedData {
  expiresAt: string;
  refreshExpiresAt: string;
  /**
   * The session's user data, encrypted with the token key ring (compact JWE). The log
   * and the read model never hold user details in the clear; readers with the right
   * key decrypt them.
   */
  sealedData: string;
}

export type SessionStarted = EventEnvelope<typeof SESSION_STARTED, SessionStartedData>;

/** Event types and the schema versions this build understands. */
export const KNOWN_EVENT_VERSIONS: Readonly<Record<string, readonly number[]>> = {
  [SESSION_STARTED]: [1],
};
