import { createRequire } from 'node:module';

// fastest-levenshtein is loaded on the first suggestion: a run without a typo never needs it.
const load = createRequire(import.meta.url);
let levenshtein: typeof import('fastest-levenshtein') | undefined;

/**
 * "Did you mean": the candidate closest to `word` (compared lower-cased, after `normalize`),
 * when it is close enough to be a typo: at most a third of the candidate's length in edits,
 * and at least 2. Every "did you mean" of flowrun goes through here, so they agree.
 */
export function suggest(
  word: string,
  candidates: readonly string[],
  normalize: (s: string) => string = (s) => s,
): string | undefined {
  if (candidates.length === 0) return undefined;
  const { distance } = (levenshtein ??= load('fastest-levenshtein') as typeof import('fastest-levenshtein'));
  const wanted = normalize(word).toLowerCase();
  let best: string | undefined;
  let bestKey = '';
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const key = normalize(candidate).toLowerCase();
    const d = distance(wanted, key);
    if (d < bestDistance) {
      best = candidate;
      bestKey = key;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(bestKey.length / 3)) ? best : undefined;
}
