/**
 * Levenshtein distance, ignoring case: a setting typed `ApiKeys` or `waymark_config`
 * is the same mistake as one letter off, and should point at the same name.
 */
export function editDistance(a: string, b: string): number {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= right.length; j += 1) {
      const substitution = previous[j - 1] + (left[i - 1] === right[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length];
}

/**
 * The valid name closest to a mistyped one, or undefined when none is close enough to
 * be the one meant: a suggestion that is a guess sends the operator the wrong way. A
 * name is offered within 2 edits, or a third of what differs after the prefix the two
 * share (so `WAYMARK_COLOUR` is not taken for `WAYMARK_CONFIG` just for its prefix).
 */
export function nearestName(name: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    const limit = Math.max(2, Math.floor((name.length - sharedPrefixLength(name, candidate)) / 3));
    if (distance <= limit && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

function sharedPrefixLength(a: string, b: string): number {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  let length = 0;
  while (length < left.length && left[length] === right[length]) length += 1;
  return length;
}

/** `; did you mean "x"?` or, with nothing close, the names there are to choose from. */
export function suggestion(name: string, candidates: readonly string[]): string {
  const nearest = nearestName(name, candidates);
  if (nearest) return `; did you mean "${nearest}"?`;
  return candidates.length > 0 ? `; valid names: ${candidates.map((candidate) => `"${candidate}"`).join(', ')}` : '';
}
