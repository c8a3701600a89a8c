import { Duration } from './duration';

/** How sessions of one tag behave within a product. */
export interface SessionSpec {
  tag: string;
  name: string;
  description?: string;
  /** Dotted path into the session's `data` naming the user's identifier, e.g. `userId`. */
  selector: string;
  expiry: Duration;
  refreshExpiry: Duration;
}

export interface ProductDefinition {
  tag: string;
  name: string;
  envs: string[];
  sessions: SessionSpec[];
}
