import { DomainError, LocalFacts, SessionRecord, SessionStateEvent, evolveDecided } from '@waymark/domain';
import { SessionStore } from './session-store.port';

/**
 * What a command decides about the session it loaded: either events to record (folded
 * into the next record by `evolveSession`, saved with compare-and-set) and the answer
 * to give once they are durable, or an answer that changes nothing.
 */
export type SessionStep<R> =
  { kind: 'save'; events: readonly SessionStateEvent[]; local?: LocalFacts; answer: (saved: SessionRecord) => R | Promise<R> } | { kind: 'answer'; answer: R };

/** Decides on the session as loaded (undefined: no such session); may throw a refusal. */
export type SessionDecider<R> = (record: SessionRecord | undefined) => SessionStep<R> | Promise<SessionStep<R>>;

export interface SessionCommandOptions {
  /** What the command does, for the error when it keeps losing: `extending`. */
  what: string;
  /** The session as the caller already read it: the first attempt decides on it without reading. */
  initial?: SessionRecord;
  /** Attempts in all, the first included (default 5). */
  maxAttempts?: number;
  /** Backoff before attempt n+1 is random in [0, min(maxBackoffMs, baseBackoffMs · 2^(n-1))) ("full jitter"). */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const SESSION_COMMAND_MAX_ATTEMPTS = 5;
const BASE_BACKOFF_MS = 2;
const MAX_BACKOFF_MS = 25;
const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The one way a command changes an existing session: load it (with its version),
 * decide, fold the decided events with `evolveSession`, and save the result with
 * compare-and-set together with the events. A lost compare-and-set means another
 * request changed the session first: wait a jittered moment, load again and decide
 * again (the new state may call for another answer: a refresh that lost its race
 * finds its token just spent and replays the winner's answer). After `maxAttempts`
 * lost races the caller gets STORE_UNAVAILABLE (503, Retry-After): the request was
 * fine, the session too busy, and nothing was changed.
 */
export async function handleSessionCommand<R>(store: SessionStore, sessionId: string, decide: SessionDecider<R>, options: SessionCommandOptions): Promise<R> {
  const maxAttempts = options.maxAttempts ?? SESSION_COMMAND_MAX_ATTEMPTS;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? sleepFor;
  for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
    if (attempt > 0) {
      const ceiling = Math.min(options.maxBackoffMs ?? MAX_BACKOFF_MS, (options.baseBackoffMs ?? BASE_BACKOFF_MS) * 2 ** (attempt - 1));
      await sleep(random() * ceiling);
    }
    const record = attempt === 0 && options.initial ? options.initial : await store.find(sessionId);
    const step = await decide(record);
    if (step.kind === 'answer') return step.answer;
    if (!record) throw new Error(`a decision about session ${sessionId}, which does not exist, recorded events`);
    const next = evolveDecided(record, step.events, step.local);
    if (await store.update(next, record.version, step.events)) return step.answer(next);
  }
  throw new DomainError('STORE_UNAVAILABLE', `the session kept changing while ${options.what}; retry`);
}
