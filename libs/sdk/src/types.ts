/** Where a session lives: every session method names it. */
export interface SessionScope {
  product: string;
  env: string;
  tag: string;
}

export interface StartSessionInput extends SessionScope {
  data: Record<string, unknown>;
}

export interface SessionTokens {
  token: string;
  refreshToken: string;
  sessionId: string;
  expiresAt: string;
  refreshExpiresAt: string;
}

export type VerifyResult =
  | { valid: true; sessionId: string; identifier: string; data: Record<string, unknown>; expiresAt: string }
  | { valid: false; reason: 'invalid' | 'expired' | 'revoked' };

export type RevokeInput = SessionScope & ({ sessionId: string } | { identifier: string; exceptSessionId?: string });

export interface ListActiveInput extends SessionScope {
  identifier: string;
  page?: number;
  pageSize?: number;
}

export interface ListActiveResult {
  total: number;
  page: number;
  pageSize: number;
  sessions: Array<{ sessionId: string; startAt: string; endAt: string; active: boolean }>;
}

export type DurationUnit = 'seconds' | 'minutes' | 'hours' | 'days' | 'weeks';

export interface Duration {
  value: number;
  unit: DurationUnit;
}

export interface ExtendInput extends SessionScope {
  sessionId: string;
  by?: Duration;
}

export interface ActivityRecord {
  name: string;
  parent?: string;
  child?: string;
  status?: string;
  latencyMs?: number;
  processId?: string;
  properties?: Record<string, unknown>;
  /** ISO-8601; defaults to when Waymark receives it. */
  occurredAt?: string;
}

export interface TrackInput extends SessionScope {
  token: string;
  /** One record, or up to 500. */
  records: ActivityRecord | ActivityRecord[];
}

export interface SessionSpecInput {
  tag: string;
  name: string;
  description?: string;
  selector: string;
  expiry?: Duration;
  refreshExpiry?: Duration;
  schema?: Record<string, { type: 'string' | 'number' | 'boolean' | 'object' | 'array'; required?: boolean }>;
}

export interface StoredSessionSpec {
  product: string;
  revision: number;
  spec: Required<Pick<SessionSpecInput, 'tag' | 'name' | 'selector' | 'expiry' | 'refreshExpiry'>> & SessionSpecInput;
}

export interface JourneyInput extends SessionScope {
  identifier: string;
  limit?: number;
}

export interface Journey extends SessionScope {
  identifier: string;
  sessions: Array<{ sessionId: string; startedAt: string; lastEventAt: string; eventCount: number }>;
  events: Array<{
    id: string;
    type: string;
    version: number;
    occurredAt: string;
    sessionId: string;
    data: Record<string, unknown>;
    meta: Record<string, unknown>;
  }>;
  truncated: boolean;
}

/** RFC 9457 problem details as Waymark answers them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: Array<{ field: string; message: string }>;
  instance?: string;
}

export interface ReplayProgress {
  id: string;
  status: 'running' | 'interrupted' | 'completed' | 'failed';
  /** Embedded: copying, replaying, handing-over, done. Distributed (Kafka): replaying, swapping, catching-up, done. */
  phase: 'copying' | 'replaying' | 'handing-over' | 'swapping' | 'catching-up' | 'done';
  processed: number;
  total: number;
  skipped: number;
  eventsPerSecond: number;
  etaSeconds?: number;
  reached?: string;
  error?: string;
}

export interface ReplayStarted {
  id?: string;
  dryRun?: boolean;
  description: string;
  plan: { fromPosition?: string; headPosition: string; events: number; partial: boolean };
  progress?: ReplayProgress;
}
