/**
 * A small seeded PRNG (sfc32 seeded through splitmix32) so a demo dataset is the same
 * for the same seed on every machine; Math.random cannot be seeded.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i += 1) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  int(min: number, maxInclusive: number): number {
    return min + Math.floor(this.next() * (maxInclusive - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks by weight; weights need not sum to 1. */
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T {
    const total = items.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [item, weight] of items) {
      roll -= weight;
      if (roll < 0) return item;
    }
    return items[items.length - 1][0];
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Log-normal with the given median: skewed, like real latencies and dwell times. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Geometric-like count with the given mean, at least `min`. */
  count(mean: number, min = 0): number {
    const p = 1 / (mean - min + 1);
    return min + Math.floor(Math.log(1 - this.next()) / Math.log(1 - p));
  }

  /** A UUIDv7 for time `ms` whose random bits come from this generator. */
  uuidV7(ms: number): string {
    const hex = (value: number, length: number) => value.toString(16).padStart(length, '0');
    const high = Math.floor(ms / 0x10000);
    const low = ms % 0x10000;
    const r1 = this.uint32();
    const r2 = this.uint32();
    const r3 = this.uint32();
    return (
      hex(high, 8) +
      '-' +
      hex(low, 4) +
      '-' +
      hex(0x7000 | (r1 & 0xfff), 4) +
      '-' +
      hex(0x8000 | ((r1 >>> 12) & 0x3fff), 4) +
      '-' +
      hex(r2, 8) +
      hex(r3 & 0xffff, 4)
    );
  }
}
