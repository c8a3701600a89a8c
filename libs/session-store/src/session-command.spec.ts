import { DomainError, EventEnvelope, SessionExtended, SessionRecord, decideExtend, decideStartSession, evolveDecided } from '@waymark/domain';
import { handleSessionCommand, SessionDecider, SessionStep } from './session-command';
import { SessionStore } from './session-store.port';

const DAY = 86_400_000;
const now = Date.UTC(2026, 11, 3, 10, 0, 0);
const meta = { source: 'test' };
const started = decideStartSession({
  product: 'p',
  env: 'snd',
  tag: 't',
  identifier: 'u',
  spec: { tag: 't', name: 'T', selector: 'userId', expiry: { value: 1, unit: 'hours' }, refreshExpiry: { value: 30, unit: 'days' } },
  sessionId: 's-1',
  eventId: 'e-1',
  now,
  sealedData: 'sealed',
  refreshTokenHash: 'h',
  meta,
});

/** A compare-and-set store in memory; `interfere` lets another writer win the next n races. */
class MemoryStore implements Pick<SessionStore, 'find' | 'update'> {
  record: SessionRecord | undefined = started.record;
  appended: EventEnvelope[] = [];
  reads = 0;
  interfere = 0;

  async find(): Promise<SessionRecord | undefined> {
    this.reads += 1;
    return this.record;
  }

  async update(record: SessionRecord, expectedVersion: number, events: readonly EventEnvelope[]): Promise<boolean> {
    if (this.interfere > 0 && this.record) {
      this.interfere -= 1;
      this.record = { ...this.record, version: this.record.version + 1 };
      return false;
    }
    if (this.record?.version !== expectedVersion) return false;
    this.record = record;
    this.appended.push(...events);
    return true;
  }
}

let eventIds = 0;
const extendByDay: SessionDecider<number> = (record) => {
  if (!record) throw new DomainError('SESSION_NOT_FOUND', 'gone');
  const decision = decideExtend(record, DAY, { now: now + 1, eventId: `e-x${++eventIds}`, meta });
  if (decision.kind === 'refused') throw new DomainError('SESSION_REVOKED', 'refused');
  if (decision.kind === 'at-absolute-end') return { kind: 'answer', answer: decision.refreshExpiresAt };
  return { kind: 'save', events: decision.events, answer: (saved) => saved.refreshExpiresAt };
};

function run<R>(store: MemoryStore, decide: SessionDecider<R>, extra: { initial?: SessionRecord } = {}) {
  const sleeps: number[] = [];
  const result = handleSessionCommand(store as unknown as SessionStore, 's-1', decide, {
    what: 'extending',
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...extra,
  });
  return { result, sleeps };
}

describe('handleSessionCommand', () => {
  it('loads, decides, saves the record evolve folds from the decided events, with them, and answers from the saved record', async () => {
    const store = new MemoryStore();
    const { result, sleeps } = run(store, extendByDay);
    await expect(result).resolves.toBe(started.record.refreshExpiresAt + DAY);
    expect(store.appended).toHaveLength(1);
    const [event] = store.appended;
    expect(event).toMatchObject({ type: 'SessionExtended' });
    expect(store.record).toEqual(evolveDecided(started.record, [event as SessionExtended]));
    expect(store.record?.version).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('on a lost compare-and-set, waits a jittered backoff, loads again and decides on what it finds', async () => {
    const store = new MemoryStore();
    store.interfere = 2;
    const { result, sleeps } = run(store, extendByDay);
    await expect(result).resolves.toBe(started.record.refreshExpiresAt + DAY);
    // Full jitter, random() = 0.5: half of 2 ms, then half of 4 ms.
    expect(sleeps).toEqual([1, 2]);
    expect(store.reads).toBe(3);
    expect(store.record?.version).toBe(3);
    expect(store.appended).toHaveLength(1);
  });

  it('gives up after 5 attempts with STORE_UNAVAILABLE, having written nothing', async () => {
    const store = new MemoryStore();
    store.interfere = 5;
    const { result, sleeps } = run(store, extendByDay);
    await expect(result).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', message: 'the session kept changing while extending; retry' });
    expect(sleeps).toHaveLength(4);
    expect(store.appended).toEqual([]);
  });

  it('answers without writing when the decision records nothing, and passes refusals through', async () => {
    const store = new MemoryStore();
    await expect(run(store, () => ({ kind: 'answer', answer: 'unchanged' }) satisfies SessionStep<string>).result).resolves.toBe('unchanged');
    await expect(
      run(store, () => {
        throw new DomainError('SESSION_NOT_FOUND', 'gone');
      }).result,
    ).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND' });
    expect(store.appended).toEqual([]);
  });

  it('decides first on the record the caller already read, without reading it again', async () => {
    const store = new MemoryStore();
    await run(store, extendByDay, { initial: started.record }).result;
    expect(store.reads).toBe(0);
  });
});
