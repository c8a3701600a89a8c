import { SESSION_STARTED, SessionStarted, createUuidV7Generator } from '@waymark/domain';
import { DataSealer, TokenKeyRing, generateStoredKey } from '@waymark/tokens';
import { randomBytes } from 'node:crypto';

export interface SyntheticStream {
  /** The next `count` SessionStarted events, in log order. */
  next(count: number): SessionStarted[];
}

/**
 * SessionStarted events shaped like the API's: UUIDv7 ids, the seed product, one user
 * out of `users`, and `sealedData` as long as a real sealed seed body with random
 * (incompressible, like real ciphertext) iv, ciphertext and tag. Time advances at
 * `ratePerSecond`, as if the events had arrived at that rate.
 */
export async function syntheticSessionStarts(total: number, users: number, ratePerSecond: number, sealedWith?: TokenKeyRing): Promise<SyntheticStream> {
  const ring = sealedWith ?? TokenKeyRing.fromKeyFile({ keys: [generateStoredKey()] });
  const sample = await new DataSealer(ring).seal({ userId: '1919102009383', details: { username: 'feekayo', email: 'fikayo@ductape.app' } });
  const [header, , iv, ciphertext, tag] = sample.split('.');
  const start = Date.now() - Math.ceil((total / ratePerSecond) * 1000);
  let clock = start;
  const newId = createUuidV7Generator(() => clock);
  let random = '';
  let offset = 0;
  const randomText = (length: number): string => {
    if (offset + length > random.length) {
      random = randomBytes(1 << 20).toString('base64url');
      offset = 0;
    }
    offset += length;
    return random.slice(offset - length, offset);
  };
  let index = 0;
  return {
    next(count) {
      const events: SessionStarted[] = [];
      for (let end = index + count; index < end; index += 1) {
        clock = start + Math.floor((index * 1000) / ratePerSecond);
        const sessionId = newId();
        events.push({
          id: newId(),
          type: SESSION_STARTED,
          version: 1,
          occurredAt: new Date(clock).toISOString(),
          product: 'my-product-tag',
          env: 'snd',
          tag: 'session-tag',
          sessionId,
          identifier: String(1_919_102_000_000 + ((index * 7919) % users)),
          data: {
            expiresAt: new Date(clock + 3_600_000).toISOString(),
            refreshExpiresAt: new Date(clock + 30 * 86_400_000).toISOString(),
            // With the service's keys given, a value they open (the codec re-seals it for the
            // log); otherwise random bytes of a real value's length, as incompressible.
            sealedData: sealedWith ? sample : `${header}..${randomText(iv.length)}.${randomText(ciphertext.length)}.${randomText(tag.length)}`,
          },
          meta: { requestId: newId(), source: 'api' },
        });
      }
      return events;
    },
  };
}

/**
 * Fills an embedded log with `total` synthetic session starts in groups of 10,000 (as a
 * busy API's group commits would), reporting progress; returns how long it took.
 */
export async function appendSyntheticLog(
  log: { append(events: readonly SessionStarted[]): Promise<void> },
  total: number,
  users: number,
  onProgress: (appended: number) => void,
  sealedWith?: TokenKeyRing,
): Promise<number> {
  const group = 10_000;
  const stream = await syntheticSessionStarts(total, users, 5_000, sealedWith);
  const started = performance.now();
  for (let appended = 0; appended < total;) {
    const count = Math.min(group, total - appended);
    await log.append(stream.next(count));
    appended += count;
    onProgress(appended);
  }
  return performance.now() - started;
}
