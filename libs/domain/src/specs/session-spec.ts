import { Duration } from './duration';

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
  schema?: DataSchema;
}

/** Products and their envs come from configuration; their session specs are managed at run time. */
export interface ProductDefinition {
  tag: string;
  name: string;
  envs: string[];
}
