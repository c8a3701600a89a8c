import { randomFillSync } from 'node:crypto';

/** Produces identifiers; injected so domain logic stays deterministic under test. */
export type IdGenerator = () => string;

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const POOL_SIZE = 16 * 512;

/**
 * UUIDv7 (RFC 9562): 48-bit Unix ms timestamp, then random bits. Ids sort by creation
 * time, which keeps ClickHouse parts and SQLite pages append-friendly.
 * Randomness is drawn from a pooled buffer because one getRandomValues call per id
 * costs more than the formatting itself on the start-session hot path.
 */
export function createUuidV7Generator(now: () => number = Date.now): IdGenerator {
  const pool = Buffer.allocUnsafe(POOL_SIZE);
  let offset = POOL_SIZE;
  let lastMs = 0;
  let sequence = 0;

  return () => {
    if (offset + 10 > POOL_SIZE) {
      randomFillSync(pool);
      offset = 0;
    }
    let ms = now();
    // Monotonic within a process: ids minted in the same millisecond keep their order
    // through a 12-bit counter in rand_a, so the log and the read model agree on order.
    if (ms <= lastMs) {
      ms = lastMs;
      sequence += 1;
      if (sequence > 0xfff) {
        ms = lastMs + 1;
        sequence = 0;
      }
    } else {
      sequence = pool[offset] & 0x7f;
    }
    lastMs = ms;

    const b = new Array<number>(16);
    b[0] = Math.floor(ms / 2 ** 40) & 0xff;
    b[1] = Math.floor(ms / 2 ** 32) & 0xff;
    b[2] = (ms >>> 24) & 0xff;
    b[3] = (ms >>> 16) & 0xff;
    b[4] = (ms >>> 8) & 0xff;
    b[5] = ms & 0xff;
    b[6] = 0x70 | ((sequence >>> 8) & 0x0f);
    b[7] = sequence & 0xff;
    b[8] = 0x80 | (pool[offset + 1] & 0x3f);
    for (let i = 9; i < 16; i += 1) b[i] = pool[offset + i - 7];
    offset += 10;

    return (
      HEX[b[0]] +
      HEX[b[1]] +
      HEX[b[2]] +
      HEX[b[3]] +
      '-' +
      HEX[b[4]] +
      HEX[b[5]] +
      '-' +
      HEX[b[6]] +
      HEX[b[7]] +
      '-' +
      HEX[b[8]] +
      HEX[b[9]] +
      '-' +
      HEX[b[10]] +
      HEX[b[11]] +
      HEX[b[12]] +
      HEX[b[13]] +
      HEX[b[14]] +
      HEX[b[15]]
    );
  };
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
