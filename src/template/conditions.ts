import { isDeepStrictEqual } from 'node:util';
import type { HelperDelegate } from 'handlebars';

/**
 * Comparison and logic helpers for conditions (`when: "{{gt articlesCount 0}}"`). Each returns a
 * boolean; a whole-value template keeps it, so `when:` sees `true`/`false`, not text.
 */

/** Handlebars passes an options object as the last argument; helpers see only the real ones. */
const args = (list: unknown[]): unknown[] => list.slice(0, -1);

/** Falsy as a tester reads it: false, null, undefined, 0, NaN, "" and empty lists. */
export const truthy = (v: unknown): boolean => (Array.isArray(v) ? v.length > 0 : Boolean(v));

/** Numbers compare as numbers (a numeric string counts as its number), strings as strings. */
function compare(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'string' && typeof b === 'string') {
    const na = Number(a);
    const nb = Number(b);
    if (a.trim() !== '' && b.trim() !== '' && !Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const na = typeof a === 'number' ? a : typeof a === 'string' && a.trim() !== '' ? Number(a) : NaN;
  const nb = typeof b === 'number' ? b : typeof b === 'string' && b.trim() !== '' ? Number(b) : NaN;
  return Number.isNaN(na) || Number.isNaN(nb) ? undefined : na - nb;
}

/** Equal as values: deep equality, and a number equals its numeric string (`eq last.status "200"`). */
export function equal(a: unknown, b: unknown): boolean {
  if (isDeepStrictEqual(a, b)) return true;
  if ((typeof a === 'number' && typeof b === 'string') || (typeof a === 'string' && typeof b === 'number'))
    return compare(a, b) === 0;
  return false;
}

function lengthOf(v: unknown): number {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (v !== null && typeof v === 'object') return Object.keys(v).length;
  return 0;
}

function includes(haystack: unknown, needle: unknown): boolean {
  if (typeof haystack === 'string') return haystack.includes(String(needle));
  if (Array.isArray(haystack)) return haystack.some((v) => equal(v, needle));
  if (haystack !== null && typeof haystack === 'object')
    return Object.prototype.hasOwnProperty.call(haystack, String(needle));
  return false;
}

const ordered =
  (test: (d: number) => boolean): HelperDelegate =>
  (...a: unknown[]) => {
    const [x, y] = args(a);
    const d = compare(x, y);
    return d !== undefined && test(d);
  };

export const conditionHelpers: Record<string, HelperDelegate> = {
  eq: (...a: unknown[]) => {
    const [x, y] = args(a);
    return equal(x, y);
  },
  ne: (...a: unknown[]) => {
    const [x, y] = args(a);
    return !equal(x, y);
  },
  gt: ordered((d) => d > 0),
  gte: ordered((d) => d >= 0),
  lt: ordered((d) => d < 0),
  lte: ordered((d) => d <= 0),
  and: (...a: unknown[]) => args(a).every(truthy),
  or: (...a: unknown[]) => args(a).some(truthy),
  not: (...a: unknown[]) => !truthy(args(a)[0]),
  includes: (...a: unknown[]) => {
    const [haystack, needle] = args(a);
    return includes(haystack, needle);
  },
  length: (...a: unknown[]) => lengthOf(args(a)[0]),
  // A missing name reaches a helper as undefined (Handlebars' strict mode checks only the last
  // segment of a path loosely), so `exists` can test a capture a skipped step did not make.
  exists: (...a: unknown[]) => {
    const [v] = args(a);
    return v !== undefined;
  },
};
