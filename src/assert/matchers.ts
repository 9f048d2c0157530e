import { createHash } from 'node:crypto';
import { compileUserSchema } from '../util/user-schema.js';
import { orderable } from '../util/compare.js';

/** The matcher names; an object whose keys are all among them is a matcher, anything else a value. */
export const MATCHERS = [
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'notIn',
  'contains',
  'matches',
  'type',
  'length',
  'exists',
  'empty',
  'schema',
  'sha256',
] as const;
const matcherSet = new Set<string>(MATCHERS);

/** Stands for "nothing there" (a JSONPath that matched nothing, an absent header). */
export const MISSING: unique symbol = Symbol('missing');

export interface Check {
  passed: boolean;
  matcher: string;
  message?: string;
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

export function isMatcher(v: unknown): v is Record<string, unknown> {
  if (!isPlainObject(v)) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => matcherSet.has(k));
}

export const show = (v: unknown): string => {
  if (v === MISSING) return 'nothing';
  if (v === undefined) return 'undefined';
  if (Buffer.isBuffer(v)) return `<${v.length} bytes>`;
  const s = JSON.stringify(v);
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
};

/** Checks `actual` against a plain value (deep equality, nested matchers allowed) or a matcher object. */
const EQUAL: Check = Object.freeze({ passed: true, matcher: 'eq' });

export function check(expected: unknown, actual: unknown): Check {
  // The common case: a scalar that is there, equal.
  if (expected === actual && (expected === null || typeof expected !== 'object')) return EQUAL;
  if (isMatcher(expected)) {
    for (const [name, arg] of Object.entries(expected)) {
      const r = applyMatcher(name, arg, actual);
      if (!r.passed) return r;
    }
    return { passed: true, matcher: Object.keys(expected).join('+') };
  }
  const diff = deepDiff(expected, actual, '');
  return diff ? { passed: false, matcher: 'eq', message: diff } : { passed: true, matcher: 'eq' };
}

/** Returns a description of the first difference, or undefined when equal (matchers allowed inside). */
export function deepDiff(
  expected: unknown,
  actual: unknown,
  at: string,
  partial = false,
): string | undefined {
  const where = at ? ` at ${at}` : '';
  if (isMatcher(expected)) {
    const r = check(expected, actual);
    return r.passed ? undefined : `${r.message}${where}`;
  }
  if (actual === MISSING) return `expected ${show(expected)}${where}, got nothing`;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `expected a list${where}, got ${show(actual)}`;
    if (!partial && expected.length !== actual.length) {
      return `expected ${expected.length} item${expected.length === 1 ? '' : 's'}${where}, got ${actual.length}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const d = deepDiff(expected[i], i < actual.length ? actual[i] : MISSING, `${at}[${i}]`, partial);
      if (d) return d;
    }
    return undefined;
  }
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return `expected an object${where}, got ${show(actual)}`;
    for (const [k, v] of Object.entries(expected)) {
      const d = deepDiff(
        v,
        Object.prototype.hasOwnProperty.call(actual, k) ? actual[k] : MISSING,
        at ? `${at}.${k}` : k,
        partial,
      );
      if (d) return d;
    }
    if (!partial) {
      const extra = Object.keys(actual).filter((k) => !Object.prototype.hasOwnProperty.call(expected, k));
      if (extra.length)
        return `unexpected key${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k}"`).join(', ')}${where}`;
    }
    return undefined;
  }
  return sameScalar(expected, actual) ? undefined : `expected ${show(expected)}${where}, got ${show(actual)}`;
}

function sameScalar(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));
}

const equals = (a: unknown, b: unknown): boolean => deepDiff(a, b, '') === undefined;

function compare(name: string, arg: unknown, actual: unknown): Check {
  const ops: Record<string, (a: number, b: number) => boolean> = {
    gt: (a, b) => a > b,
    gte: (a, b) => a >= b,
    lt: (a, b) => a < b,
    lte: (a, b) => a <= b,
  };
  const sym: Record<string, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };
  const pair = orderable(actual, arg);
  const passed = pair !== undefined && ops[name](pair[0], pair[1]);
  return {
    passed,
    matcher: name,
    message: passed ? undefined : `expected a value ${sym[name]} ${show(arg)}, got ${show(actual)}`,
  };
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function applyMatcher(name: string, arg: unknown, actual: unknown): Check {
  const fail = (message: string): Check => ({ passed: false, matcher: name, message });
  const ok: Check = { passed: true, matcher: name };
  switch (name) {
    case 'eq': {
      const d = deepDiff(arg, actual, '');
      return d ? fail(d) : ok;
    }
    case 'ne':
      return equals(arg, actual) ? fail(`expected anything but ${show(arg)}`) : ok;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return compare(name, arg, actual);
    case 'in':
      return Array.isArray(arg) && arg.some((v) => equals(v, actual))
        ? ok
        : fail(`expected one of ${show(arg)}, got ${show(actual)}`);
    case 'notIn':
      return Array.isArray(arg) && arg.some((v) => equals(v, actual))
        ? fail(`expected none of ${show(arg)}, got ${show(actual)}`)
        : ok;
    case 'contains': {
      if (typeof actual === 'string')
        return actual.includes(String(arg))
          ? ok
          : fail(`expected a string containing ${show(arg)}, got ${show(actual)}`);
      if (Array.isArray(actual)) {
        return actual.some((item) => deepDiff(arg, item, '', true) === undefined)
          ? ok
          : fail(`expected a list containing ${show(arg)}, got ${show(actual)}`);
      }
      if (isPlainObject(actual)) {
        const d = deepDiff(arg, actual, '', true);
        return d ? fail(`expected an object containing ${show(arg)}: ${d}`) : ok;
      }
      return fail(`expected something containing ${show(arg)}, got ${show(actual)}`);
    }
    case 'matches': {
      let re: RegExp;
      try {
        re = new RegExp(String(arg));
      } catch (error) {
        return fail(`invalid regular expression ${show(arg)}: ${(error as Error).message}`);
      }
      if (actual === MISSING || actual === undefined || actual === null || typeof actual === 'object') {
        return fail(`expected a value matching /${arg}/, got ${show(actual)}`);
      }
      return re.test(String(actual)) ? ok : fail(`expected a value matching /${arg}/, got ${show(actual)}`);
    }
    case 'type': {
      const t = typeOf(actual === MISSING ? undefined : actual);
      const want = String(arg);
      const passed = t === want || (want === 'number' && t === 'integer');
      return passed
        ? ok
        : fail(`expected ${want}, got ${actual === MISSING ? 'nothing' : `${t} ${show(actual)}`}`);
    }
    case 'length': {
      const len =
        typeof actual === 'string' || Array.isArray(actual) || Buffer.isBuffer(actual)
          ? actual.length
          : isPlainObject(actual)
            ? Object.keys(actual).length
            : undefined;
      if (len === undefined) return fail(`expected something with a length, got ${show(actual)}`);
      const inner = check(arg, len);
      return inner.passed
        ? ok
        : fail(`expected length ${isMatcher(arg) ? show(arg) : String(arg)}, got ${len}`);
    }
    case 'exists': {
      const exists = actual !== MISSING && actual !== undefined;
      return exists === Boolean(arg)
        ? ok
        : fail(arg ? 'expected it to exist, got nothing' : `expected nothing, got ${show(actual)}`);
    }
    case 'empty': {
      const empty =
        actual === MISSING ||
        actual === undefined ||
        actual === null ||
        actual === '' ||
        (Array.isArray(actual) && actual.length === 0) ||
        (isPlainObject(actual) && Object.keys(actual).length === 0);
      return empty === Boolean(arg)
        ? ok
        : fail(arg ? `expected empty, got ${show(actual)}` : 'expected something non-empty');
    }
    case 'sha256': {
      // The hex SHA-256 of bytes (a binary body) or of a string's UTF-8.
      if (!Buffer.isBuffer(actual) && typeof actual !== 'string')
        return fail(`expected bytes or text to hash, got ${show(actual)}`);
      const digest = createHash('sha256').update(actual).digest('hex');
      return digest === String(arg).toLowerCase()
        ? ok
        : fail(`expected sha256 ${String(arg)}, got ${digest}`);
    }
    case 'schema': {
      if (!isPlainObject(arg)) return fail('schema matcher needs an inline JSON Schema object');
      const validate = compileUserSchema(arg);
      if (validate(actual)) return ok;
      const e = validate.errors?.[0];
      return fail(
        `does not match the schema: ${e ? `${e.instancePath || '(root)'} ${e.message}` : 'invalid'}`,
      );
    }
    default:
      return fail(`unknown matcher ${name}`);
  }
}
