/**
 * Call verification over a list of recorded requests, shared by every driver so `times`, `json`
 * and `headers` mean the same thing against the embedded server, MockServer and WireMock.
 * Failures explain, field by field, why the closest recorded requests did not match.
 */
import { FlowrunError } from '../errors.js';
import type { AssertionResult } from '../types.js';
import { diffLines, listRequests } from './journal.js';
import {
  describeMatcher,
  differences,
  jsonDifferences,
  rankClosest,
  valueMatches,
  describeValueMatcher,
} from './match.js';
import type { RecordedRequest, RequestMatcher, ValueMatcher } from './model.js';

/** `{ exactly }`, `{ atLeast }`, `{ atMost }` (the last two may be combined), or a number for exactly. */
export interface Times {
  atLeast?: number;
  atMost?: number;
}

export function normalizeTimes(raw: unknown): Times {
  if (raw === undefined || raw === null) return { atLeast: 1 };
  const whole = (raw: unknown, key: string) => {
    // A rendered template may give a whole number as text (e.g. a CSV value).
    const v = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new FlowrunError(`verify times.${key}: expected a whole number >= 0, got ${JSON.stringify(v)}`, {
        code: 'E_VERIFY_SPEC',
      });
    }
    return v;
  };
  if (typeof raw === 'number' || typeof raw === 'string') {
    const n = whole(raw, 'exactly');
    return { atLeast: n, atMost: n };
  }
  if (typeof raw !== 'object')
    throw new FlowrunError('verify times: expected { exactly | atLeast | atMost }');
  const t = raw as Record<string, unknown>;
  const unknown = Object.keys(t).filter((k) => !['exactly', 'atLeast', 'atMost'].includes(k));
  if (unknown.length)
    throw new FlowrunError(`verify times: unknown key ${unknown.join(', ')} (use exactly, atLeast, atMost)`);
  if (t.exactly !== undefined) {
    if (t.atLeast !== undefined || t.atMost !== undefined)
      throw new FlowrunError('verify times: exactly cannot be combined');
    const n = whole(t.exactly, 'exactly');
    return { atLeast: n, atMost: n };
  }
  const out: Times = {};
  if (t.atLeast !== undefined) out.atLeast = whole(t.atLeast, 'atLeast');
  if (t.atMost !== undefined) out.atMost = whole(t.atMost, 'atMost');
  if (out.atLeast === undefined && out.atMost === undefined) return { atLeast: 1 };
  if (out.atLeast !== undefined && out.atMost !== undefined && out.atLeast > out.atMost) {
    throw new FlowrunError('verify times: atLeast is greater than atMost');
  }
  return out;
}

export const timesHolds = (t: Times, n: number) =>
  (t.atLeast === undefined || n >= t.atLeast) && (t.atMost === undefined || n <= t.atMost);

const plural = (n: number) => `${n} time${n === 1 ? '' : 's'}`;

export function describeTimes(t: Times): string {
  if (t.atLeast !== undefined && t.atLeast === t.atMost)
    return t.atMost === 0 ? 'never' : `exactly ${plural(t.atMost)}`;
  if (t.atLeast !== undefined && t.atMost !== undefined)
    return `between ${t.atLeast} and ${plural(t.atMost)}`;
  if (t.atMost !== undefined) return `at most ${plural(t.atMost)}`;
  return `at least ${plural(t.atLeast ?? 1)}`;
}

const timesMatcher = (t: Times) =>
  t.atLeast !== undefined && t.atLeast === t.atMost
    ? 'exactly'
    : t.atMost === undefined
      ? 'atLeast'
      : t.atLeast === undefined
        ? 'atMost'
        : 'between';

export interface VerifyInput {
  requests: RecordedRequest[];
  /** Journal entries of the scope lost to the journal's cap. */
  dropped: number;
  matcher: RequestMatcher;
  /** e.g. `mock "charge" on payments`. */
  label: string;
  server: string;
  times: Times;
  json?: unknown;
  headers?: Record<string, ValueMatcher>;
}

export interface VerifyOutcome {
  matched: RecordedRequest[];
  count: number;
  passed: boolean;
  assertions: AssertionResult[];
}

export function evaluateVerification(input: VerifyInput): VerifyOutcome {
  const { requests, matcher, times } = input;
  const matched = requests.filter((r) => differences(matcher, r).length === 0);
  const count = matched.length;
  const headerNames = Object.keys(matcher.headers ?? {}).concat(Object.keys(input.headers ?? {}));
  const timesOk = timesHolds(times, count);
  const assertions: AssertionResult[] = [];

  let message: string | undefined;
  if (!timesOk) {
    const lines = [
      `expected ${describeMatcher(matcher)} (${input.label}) to be called ${describeTimes(times)}, but it was called ${plural(count)}`,
    ];
    if (count > (times.atMost ?? Infinity)) {
      lines.push('matching requests:', ...listRequests(matched, headerNames));
    } else {
      const others = requests.filter((r) => !matched.includes(r));
      const closest = rankClosest(others, (r) => differences(matcher, r));
      if (closest.length) {
        lines.push('closest recorded requests, and why they did not match:');
        for (const c of closest)
          lines.push(
            `  #${c.candidate.seq} ${c.candidate.method} ${c.candidate.path}: ${diffLines(c.differences)}`,
          );
      }
    }
    lines.push(
      requests.length
        ? `requests recorded on ${input.server} during this scenario (${requests.length}):`
        : `no requests were recorded on ${input.server} during this scenario`,
      ...listRequests(requests, headerNames),
    );
    if (input.dropped)
      lines.push(
        `(the journal overflowed: ${input.dropped} earlier requests were dropped, counts may be low)`,
      );
    message = lines.join('\n');
  }
  assertions.push({
    path: 'times',
    matcher: timesMatcher(times),
    expected: times.atLeast !== undefined && times.atLeast === times.atMost ? times.atLeast : times,
    actual: count,
    passed: timesOk,
    ...(message ? { message } : {}),
  });

  const zeroAllowed = timesHolds(times, 0);
  if (input.json !== undefined) {
    assertions.push(
      checkEach(
        matched,
        zeroAllowed,
        'json',
        'partial',
        input.json,
        (r) =>
          r.json === undefined
            ? 'the body is not JSON'
            : diffLines(jsonDifferences(input.json, r.json, false)),
        (r) => r.json !== undefined && jsonDifferences(input.json, r.json, false).length === 0,
      ),
    );
  }
  for (const [name, vm] of Object.entries(input.headers ?? {})) {
    const h = name.toLowerCase();
    assertions.push(
      checkEach(
        matched,
        zeroAllowed,
        `headers.${h}`,
        typeof vm === 'string' ? 'eq' : Object.keys(vm).join('+'),
        vm,
        (r) =>
          `header ${h}: expected ${describeValueMatcher(vm)}, got ${r.headers[h] === undefined ? 'no such header' : ['authorization', 'cookie'].includes(h) ? '***' : JSON.stringify(r.headers[h])}`,
        (r) => valueMatches(vm, r.headers[h]),
      ),
    );
  }
  return { matched, count, passed: assertions.every((a) => a.passed), assertions };
}

/** One assertion that every matched request satisfies a condition; names the requests that do not. */
function checkEach(
  matched: RecordedRequest[],
  zeroAllowed: boolean,
  path: string,
  matcher: string,
  expected: unknown,
  why: (r: RecordedRequest) => string,
  holds: (r: RecordedRequest) => boolean,
): AssertionResult {
  if (matched.length === 0) {
    return {
      path,
      matcher,
      expected,
      actual: undefined,
      passed: zeroAllowed,
      ...(zeroAllowed ? {} : { message: `${path}: no matching request was recorded to check` }),
    };
  }
  const failing = matched.filter((r) => !holds(r));
  if (failing.length === 0)
    return { path, matcher, expected, actual: path === 'json' ? matched[0].json : undefined, passed: true };
  const lines = failing.slice(0, 5).map((r) => `  #${r.seq} ${r.method} ${r.path}: ${why(r)}`);
  if (failing.length > 5) lines.push(`  and ${failing.length - 5} more`);
  return {
    path,
    matcher,
    expected,
    actual: path === 'json' ? failing[0].json : failing[0].headers[path.slice('headers.'.length)],
    passed: false,
    message: `${failing.length} of ${matched.length} matching requests fail ${path}:\n${lines.join('\n')}`,
  };
}
