import { EventEnvelope, SESSION_STARTED } from '@waymark/domain';
import { PersonalDataCodec } from '@waymark/privacy';

/** One row to rewrite: its key in its table and its body as stored. */
export interface RawRow {
  key: number;
  body: string;
}

/** A legacy row's new body, and the subject its `identifier` column now names. */
export interface Rewrite {
  key: number;
  body: string;
  subject: string;
}

export interface RewriteBatch {
  rewrites: Rewrite[];
  /** Users seen for the first time here: their key records were created. */
  newUsers: number;
  /** Legacy events of users erased before the migration: stored under a key that exists nowhere. */
  erased: number;
  /** SessionStarted whose data no token key opens any more (a retired key): moved under the subject, data left as sealed. */
  sealedLeft: number;
  /** Bodies that are not events (malformed JSON, not an object, no product): left as they are. */
  unreadable: number;
}

type Legacy = EventEnvelope & Record<string, unknown>;

/**
 * A body written before crypto-shredding: an object naming its product and, in the
 * clear, its user, without a subject. Read loosely (not the full envelope check) so
 * that a dead letter refused for its version or a field still loses the identifier.
 */
function legacyOf(value: unknown): Legacy | 'stored' | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { product, identifier, subject } = value as Record<string, unknown>;
  if (typeof product !== 'string' || product === '' || typeof identifier !== 'string') return undefined;
  if (subject !== undefined || identifier === '') return 'stored';
  return value as Legacy;
}

/**
 * The stored form of a batch of legacy rows (docs/privacy.md), made by the service's
 * own codec so that the rewritten rows are exactly what the service writes today and
 * decode back to the same envelopes. Every member of a body is kept (a row is rewritten,
 * not re-made from its checked envelope).
 *
 * An identifier erased before the migration (an erasure record under its lookup) must
 * not be given a key: that would bring the user back for every later reader. Its events
 * are stored under a fresh subject whose key is thrown away at once, their session data
 * sealed with it: no reader can link or open them, as for any erased user's events.
 */
export async function storedForms(codec: PersonalDataCodec, rows: readonly RawRow[]): Promise<RewriteBatch> {
  const batch: RewriteBatch = { rewrites: [], newUsers: 0, erased: 0, sealedLeft: 0, unreadable: 0 };
  const legacy: Array<{ key: number; event: Legacy }> = [];
  for (const row of rows) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(row.body);
    } catch {
      batch.unreadable += 1;
      continue;
    }
    const event = legacyOf(parsed);
    if (event === undefined) batch.unreadable += 1;
    else if (event !== 'stored') legacy.push({ key: row.key, event });
  }
  if (legacy.length === 0) return batch;

  const events = legacy.map((entry) => entry.event);
  await codec.prepareDecode(events);
  const kept: typeof legacy = [];
  const erased: typeof legacy = [];
  for (const entry of legacy) (codec.decode(entry.event) === undefined ? erased : kept).push(entry);

  batch.newUsers = await countNewUsers(
    codec,
    kept.map((entry) => entry.event),
  );
  await codec.prepareEncode(kept.map((entry) => entry.event));
  for (const { key, event } of kept) {
    const stored = encodeKeepingUnopenable(codec, event, () => (batch.sealedLeft += 1));
    batch.rewrites.push({ key, body: JSON.stringify(stored), subject: stored.subject as string });
  }

  const throwaway = new Map<string, ReturnType<typeof codec.keys.cipher.newRecord>['key']>();
  for (const { key, event } of erased) {
    const lookup = codec.keys.lookupOf(event.product, event.identifier);
    let userKey = throwaway.get(lookup);
    if (!userKey) throwaway.set(lookup, (userKey = codec.keys.cipher.newRecord(event.product, event.identifier, Date.now(), lookup).key));
    const stored: Legacy = { ...event, identifier: '', subject: userKey.subject };
    const data = event.data as Record<string, unknown> | undefined;
    if (event.type === SESSION_STARTED && typeof data?.sealedData === 'string') stored.data = { ...data, sealedData: userKey.data.encrypt(data.sealedData) };
    batch.rewrites.push({ key, body: JSON.stringify(stored), subject: userKey.subject });
    batch.erased += 1;
  }
  batch.rewrites.sort((a, b) => a.key - b.key);
  return batch;
}

/** How many of these events' users have no key record yet (the command holds DATA_DIR: nobody else creates one meanwhile). */
async function countNewUsers(codec: PersonalDataCodec, events: readonly EventEnvelope[]): Promise<number> {
  const lookups = new Set(events.map((event) => codec.keys.lookupOf(event.product, event.identifier)));
  if (lookups.size === 0) return 0;
  const found = await codec.keys.store.findByLookups([...lookups]);
  return lookups.size - found.size;
}

/**
 * `codec.encode`, except for a SessionStarted whose data no token key in the ring opens
 * (sealed under a key retired since): the codec refuses it, but its identifier must
 * still leave the row. Its data stays as sealed (unreadable already, as before).
 */
function encodeKeepingUnopenable(codec: PersonalDataCodec, event: Legacy, onSealedLeft: () => void): EventEnvelope {
  try {
    return codec.encode(event);
  } catch (error) {
    const key = codec.keys.keyOf(event.product, event.identifier);
    if (event.type !== SESSION_STARTED || !key) throw error;
    onSealedLeft();
    return { ...event, identifier: '', subject: key.subject };
  }
}
