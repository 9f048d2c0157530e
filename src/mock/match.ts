/**
 * Request matching that explains itself: instead of a yes/no it returns every field that
 * differed, so a 404 or a failed verify can say "json $.currency: expected RUB, got USD".
 */
import type { Difference, RecordedRequest, RequestMatcher, ValueMatcher } from './model.js';
import { isSensitiveHeader, MASK } from '../util/mask.js';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const regexCache = new Map<string, RegExp>();
/** Whole-string match, as MockServer and WireMock do, so `/orders` never matches `/orders/1`. */
function fullMatch(pattern: string, value: string): boolean {
  let re = regexCache.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`, 's');
    if (regexCache.size > 500) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re.test(value);
}

const show = (v: unknown): string => {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
};

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Checks one header or query value; a list of actual values matches when any of them does. */
export function valueMatches(matcher: ValueMatcher, actual: string | string[] | undefined): boolean {
  const values = actual === undefined ? [] : Array.isArray(actual) ? actual : [actual];
  if (typeof matcher === 'string') return values.includes(matcher);
  if (matcher.exists === false) return values.length === 0;
  if (values.length === 0) return false;
  return values.some(
    (v) =>
      (matcher.eq === undefined || v === matcher.eq) &&
      (matcher.matches === undefined || fullMatch(matcher.matches, v)) &&
      (matcher.contains === undefined || v.includes(matcher.contains)),
  );
}

export const describeValueMatcher = (m: ValueMatcher): string => {
  if (typeof m === 'string') return JSON.stringify(m);
  const parts: string[] = [];
  if (m.eq !== undefined) parts.push(JSON.stringify(m.eq));
  if (m.matches !== undefined) parts.push(`matching /${m.matches}/`);
  if (m.contains !== undefined) parts.push(`containing ${JSON.stringify(m.contains)}`);
  if (m.exists !== undefined) parts.push(m.exists ? 'present' : 'absent');
  return parts.join(' and ');
};

const sameNumber = (a: unknown, b: unknown) => typeof a === 'number' && typeof b === 'number' && a === b;

/**
 * Partial JSON comparison: objects in `expected` may omit keys, arrays must have the same length
 * and match item by item, numbers compare by value. Returns the differing JSON paths.
 */
export function jsonDifferences(
  expected: unknown,
  actual: unknown,
  exact: boolean,
  path = '$',
): Difference[] {
  const diff = (message: string): Difference[] => [
    { field: `json ${path}`, expected, actual, message: `json ${path}: ${message}` },
  ];
  if (isObject(expected)) {
    if (!isObject(actual)) return diff(`expected an object, got ${show(actual)}`);
    const out: Difference[] = [];
    for (const [k, v] of Object.entries(expected)) {
      const child = /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`;
      if (!(k in actual)) {
        out.push({
          field: `json ${child}`,
          expected: v,
          actual: undefined,
          message: `json ${child}: missing`,
        });
      } else out.push(...jsonDifferences(v, actual[k], exact, child));
    }
    if (exact) {
      for (const k of Object.keys(actual)) {
        if (!(k in expected)) {
          out.push({
            field: `json ${path}.${k}`,
            expected: undefined,
            actual: actual[k],
            message: `json ${path}.${k}: unexpected key (exact match)`,
          });
        }
      }
    }
    return out;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return diff(`expected an array, got ${show(actual)}`);
    if (expected.length !== actual.length) {
      return diff(`expected ${expected.length} items, got ${actual.length}`);
    }
    return expected.flatMap((v, i) => jsonDifferences(v, actual[i], exact, `${path}[${i}]`));
  }
  if (expected === actual || sameNumber(expected, actual)) return [];
  return diff(`expected ${show(expected)}, got ${show(actual)}`);
}

/** Every field of `m` the request does not satisfy; empty means it matches. */
export function differences(m: RequestMatcher, r: RecordedRequest): Difference[] {
  const out: Difference[] = [];
  if (m.method !== undefined && m.method !== r.method.toUpperCase()) {
    out.push({
      field: 'method',
      expected: m.method,
      actual: r.method,
      message: `method: expected ${m.method}, got ${r.method}`,
    });
  }
  if (m.path !== undefined && safeDecode(m.path) !== safeDecode(r.path)) {
    out.push({
      field: 'path',
      expected: m.path,
      actual: r.path,
      message: `path: expected "${m.path}", got "${r.path}"`,
    });
  }
  if (m.pathPattern !== undefined && !fullMatch(m.pathPattern, safeDecode(r.path))) {
    out.push({
      field: 'path',
      expected: m.pathPattern,
      actual: r.path,
      message: `path: expected to match /${m.pathPattern}/, got "${r.path}"`,
    });
  }
  for (const [k, vm] of Object.entries(m.query ?? {})) {
    if (!valueMatches(vm, r.query[k])) {
      const actual = r.query[k];
      out.push({
        field: `query.${k}`,
        expected: vm,
        actual,
        message: `query ${k}: expected ${describeValueMatcher(vm)}, got ${actual === undefined ? 'no such parameter' : show(actual)}`,
      });
    }
  }
  for (const [k, vm] of Object.entries(m.headers ?? {})) {
    if (!valueMatches(vm, r.headers[k])) {
      const actual = r.headers[k];
      const masked = actual !== undefined && isSensitiveHeader(k) ? MASK : actual;
      out.push({
        field: `headers.${k}`,
        expected: vm,
        actual: masked,
        message: `header ${k}: expected ${describeValueMatcher(vm)}, got ${actual === undefined ? 'no such header' : show(masked)}`,
      });
    }
  }
  if (m.json !== undefined) {
    if (r.json === undefined) {
      out.push({
        field: 'json',
        expected: m.json,
        actual: r.body,
        message: `json: expected a JSON body, got ${r.body === '' ? 'an empty body' : show(r.body)}`,
      });
    } else out.push(...jsonDifferences(m.json, r.json, m.jsonMatch === 'exact'));
  }
  if (m.body !== undefined && m.body !== r.body) {
    out.push({
      field: 'body',
      expected: m.body,
      actual: r.body,
      message: `body: expected ${show(m.body)}, got ${show(r.body)}`,
    });
  }
  if (m.bodyPattern !== undefined && !fullMatch(m.bodyPattern, r.body)) {
    out.push({
      field: 'body',
      expected: m.bodyPattern,
      actual: r.body,
      message: `body: expected to match /${m.bodyPattern}/, got ${show(r.body)}`,
    });
  }
  return out;
}

/** A distance for "closest": a wrong path or method weighs more than a wrong field value. */
export function distance(diffs: Difference[]): number {
  return diffs.reduce((sum, d) => sum + (d.field === 'path' ? 4 : d.field === 'method' ? 3 : 1), 0);
}

/** The candidates sorted by distance, closest first, with their differences. */
export function rankClosest<T>(
  candidates: T[],
  diffsOf: (candidate: T) => Difference[],
  limit = 3,
): { candidate: T; differences: Difference[] }[] {
  return candidates
    .map((candidate, order) => ({ candidate, differences: diffsOf(candidate), order }))
    .sort((a, b) => distance(a.differences) - distance(b.differences) || a.order - b.order)
    .slice(0, limit)
    .map(({ candidate, differences }) => ({ candidate, differences }));
}

/** A short description of a matcher for messages: `POST /api/v1/payments json {"currency":"RUB"}`. */
export function describeMatcher(m: RequestMatcher): string {
  const parts = [m.method ?? 'ANY', m.path ?? (m.pathPattern ? `/${m.pathPattern}/` : '*')];
  if (m.query && Object.keys(m.query).length) {
    parts.push(
      `query ${Object.entries(m.query)
        .map(([k, v]) => `${k}=${describeValueMatcher(v)}`)
        .join(' ')}`,
    );
  }
  if (m.headers && Object.keys(m.headers).length) {
    parts.push(
      `headers ${Object.entries(m.headers)
        .map(([k, v]) => `${k}: ${describeValueMatcher(v)}`)
        .join(', ')}`,
    );
  }
  if (m.json !== undefined) parts.push(`json ${show(m.json)}`);
  if (m.body !== undefined) parts.push(`body ${show(m.body)}`);
  if (m.bodyPattern !== undefined) parts.push(`body /${m.bodyPattern}/`);
  return parts.join(' ');
}
