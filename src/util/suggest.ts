/**
 * "did you mean" for a misspelled name (an option, a field), by edit distance (fastest-levenshtein, a small,
 * well-kept implementation of Myers' bit-parallel algorithm): the closest candidate, when it is close
 * enough that a typo is the likely cause.
 */
import { closest, distance } from 'fastest-levenshtein';

/** The candidate `word` was most likely meant to be, or undefined when none is near. */
export function closestName(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const best = closest(word, [...candidates]);
  // One edit in four characters, at least one: `memroy` → `memory`, never `ip` → `vlan`.
  return distance(word.toLowerCase(), best.toLowerCase()) <= Math.max(1, Math.floor(best.length / 4)) + (best.length > 5 ? 1 : 0) ? best : undefined;
}

/** `; did you mean \`memory\`?`, or '' when nothing is near. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const best = closestName(word, candidates);
  return best === undefined ? '' : `; did you mean \`${best}\`?`;
}
