import crypto from 'node:crypto';

/**
 * Whether two strings (refresh-token hashes) are equal, in time that depends on their
 * length only, through `crypto.timingSafeEqual`. Strings of different lengths are
 * unequal; they are still put through one comparison, so that the answer takes as long.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) {
    crypto.timingSafeEqual(left, left);
    return false;
  }
  return crypto.timingSafeEqual(left, right);
}

/**
 * Index of the first candidate equal to `presented`, or -1. Every candidate is compared
 * (no early exit), so the time taken says nothing about which one matched, or how far.
 */
export function findConstantTime(presented: string, candidates: readonly string[]): number {
  let found = -1;
  for (let index = 0; index < candidates.length; index += 1) {
    const equal = constantTimeEqual(presented, candidates[index]);
    if (equal && found === -1) found = index;
  }
  return found;
}
