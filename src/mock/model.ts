/**
 * flowrun's mock model after templates were rendered: the request matcher, the response, and
 * a recorded request. Every driver (embedded, MockServer, WireMock) speaks this model; the
 * external ones translate it into their own JSON.
 */
import { FlowrunError } from '../errors.js';
import type { Location, MockExpectationSpec } from '../types.js';
import { parseDuration as parseMs } from '../util/time.js';

/** A condition on one query parameter or header value. A plain string means equality. */
export type ValueMatcher = string | { eq?: string; matches?: string; contains?: string; exists?: boolean };

/** What a request must look like; every given field must hold. */
export interface RequestMatcher {
  /** Upper-case method; absent or `ANY` matches every method. */
  method?: string;
  /** Literal path (no query), compared after percent-decoding. */
  path?: string;
  /** A regular expression the whole path must match. */
  pathPattern?: string;
  query?: Record<string, ValueMatcher>;
  /** Lower-case header names. */
  headers?: Record<string, ValueMatcher>;
  /** Partial JSON: objects may have extra keys, arrays must have the same length. */
  json?: unknown;
  /** `exact` turns the JSON match into deep equality (no extra keys). */
  jsonMatch?: 'partial' | 'exact';
  /** The exact raw body. */
  body?: string;
  /** A regular expression the whole raw body must match. */
  bodyPattern?: string;
}

/** One response; templates may still be inside (rendered per request by the embedded server). */
export interface MockResponse {
  status: number;
  headers: Record<string, string>;
  json?: unknown;
  body?: string;
  delayMs: number;
}

/** A scenario expectation once its request matcher was rendered. */
export interface Expectation {
  id: string;
  request: RequestMatcher;
  /** Un-rendered responses, answered in order; the last repeats. */
  responses: Record<string, unknown>[];
  /** Answer at most this many times; absent = unlimited. */
  times?: number;
  /** Higher wins; equal priorities go by registration order (earliest first). */
  priority: number;
  location?: Location;
}

/** A request as a mock server saw it; the same shape for every driver. */
export interface RecordedRequest {
  /** Position in the server's journal (1-based, increasing). */
  seq: number;
  /** ISO time of arrival. */
  at: string;
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** Raw body (truncated for very large bodies; `bodyTruncated` tells). */
  body: string;
  bodyTruncated?: boolean;
  /** The body parsed as JSON when it parses, whatever the content type. */
  json?: unknown;
  /** The expectation that answered it, when the driver knows. */
  matched?: { scope?: string; id: string };
  status?: number;
}

/** Why a request did not match a matcher: one entry per differing field. */
export interface Difference {
  /** `method`, `path`, `query.page`, `headers.authorization`, `json $.amount`, `body`. */
  field: string;
  expected: unknown;
  actual: unknown;
  message: string;
}

const METHOD_ANY = 'ANY';

/** Parses `150`, `150ms`, `2s`, `1m` into milliseconds; a located error when it cannot. */
export function parseDuration(value: unknown, what: string, location?: Location): number {
  const ms = parseMs(value);
  if (ms !== undefined) return ms;
  throw new FlowrunError(`${what}: expected a duration such as 150ms or 5s, got ${JSON.stringify(value)}`, {
    code: 'E_MOCK_SPEC',
    location,
  });
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function checkRegex(pattern: string, what: string, location?: Location): string {
  try {
    new RegExp(pattern);
  } catch (error) {
    throw new FlowrunError(
      `${what}: invalid regular expression ${JSON.stringify(pattern)}: ${(error as Error).message}`,
      {
        code: 'E_MOCK_SPEC',
        location,
      },
    );
  }
  return pattern;
}

function toValueMatcher(value: unknown, what: string, location?: Location): ValueMatcher {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isObject(value)) {
    const allowed = ['eq', 'matches', 'contains', 'exists'];
    const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
    if (unknown.length === 0 && Object.keys(value).length > 0) {
      const out: Exclude<ValueMatcher, string> = {};
      if (value.eq !== undefined) out.eq = String(value.eq);
      if (value.matches !== undefined) out.matches = checkRegex(String(value.matches), what, location);
      if (value.contains !== undefined) out.contains = String(value.contains);
      if (value.exists !== undefined) out.exists = Boolean(value.exists);
      return out;
    }
  }
  throw new FlowrunError(
    `${what}: expected a string or one of { eq, matches, contains, exists }, got ${JSON.stringify(value)}`,
    { code: 'E_MOCK_SPEC', location },
  );
}

function toValueMap(value: unknown, what: string, lowerCase: boolean, location?: Location) {
  if (value === undefined) return undefined;
  if (!isObject(value))
    throw new FlowrunError(`${what}: expected an object`, { code: 'E_MOCK_SPEC', location });
  const out: Record<string, ValueMatcher> = {};
  for (const [k, v] of Object.entries(value)) {
    out[lowerCase ? k.toLowerCase() : k] = toValueMatcher(v, `${what}.${k}`, location);
  }
  return out;
}

/** Turns a rendered `request:` block into a matcher, rejecting what no driver could honour. */
export function normalizeMatcher(raw: unknown, what = 'request', location?: Location): RequestMatcher {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw))
    throw new FlowrunError(`${what}: expected an object`, { code: 'E_MOCK_SPEC', location });
  const known = [
    'method',
    'path',
    'pathPattern',
    'query',
    'headers',
    'json',
    'jsonMatch',
    'body',
    'bodyPattern',
  ];
  const unknown = Object.keys(raw).filter((k) => !known.includes(k));
  if (unknown.length) {
    throw new FlowrunError(`${what}: unknown key ${unknown.map((k) => `"${k}"`).join(', ')}`, {
      code: 'E_MOCK_SPEC',
      location,
      hint: `known keys: ${known.join(', ')}`,
    });
  }
  const m: RequestMatcher = {};
  if (raw.method !== undefined) {
    const method = String(raw.method).toUpperCase();
    if (method !== METHOD_ANY) m.method = method;
  }
  if (raw.path !== undefined) {
    m.path = String(raw.path);
    if (m.path.includes('?')) {
      throw new FlowrunError(
        `${what}.path: "${m.path}" contains a query string; put parameters under query:`,
        {
          code: 'E_MOCK_SPEC',
          location,
        },
      );
    }
  }
  if (raw.pathPattern !== undefined)
    m.pathPattern = checkRegex(String(raw.pathPattern), `${what}.pathPattern`, location);
  if (m.path !== undefined && m.pathPattern !== undefined) {
    throw new FlowrunError(`${what}: give either path or pathPattern, not both`, {
      code: 'E_MOCK_SPEC',
      location,
    });
  }
  m.query = toValueMap(raw.query, `${what}.query`, false, location);
  m.headers = toValueMap(raw.headers, `${what}.headers`, true, location);
  if (raw.json !== undefined) m.json = raw.json;
  if (raw.jsonMatch !== undefined) {
    if (raw.jsonMatch !== 'partial' && raw.jsonMatch !== 'exact') {
      throw new FlowrunError(`${what}.jsonMatch: expected partial or exact`, {
        code: 'E_MOCK_SPEC',
        location,
      });
    }
    m.jsonMatch = raw.jsonMatch;
  }
  if (raw.body !== undefined) m.body = typeof raw.body === 'string' ? raw.body : JSON.stringify(raw.body);
  if (raw.bodyPattern !== undefined)
    m.bodyPattern = checkRegex(String(raw.bodyPattern), `${what}.bodyPattern`, location);
  for (const k of Object.keys(m) as (keyof RequestMatcher)[]) if (m[k] === undefined) delete m[k];
  return m;
}

/** Turns a rendered `response:` block into a response. */
export function normalizeResponse(raw: unknown, what = 'response', location?: Location): MockResponse {
  const r = isObject(raw) ? raw : {};
  if (raw !== undefined && !isObject(raw)) {
    throw new FlowrunError(`${what}: expected an object`, { code: 'E_MOCK_SPEC', location });
  }
  const status = r.status === undefined ? 200 : Number(r.status);
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new FlowrunError(`${what}.status: expected an HTTP status, got ${JSON.stringify(r.status)}`, {
      code: 'E_MOCK_SPEC',
      location,
    });
  }
  if (r.json !== undefined && r.body !== undefined) {
    throw new FlowrunError(`${what}: give either json or body, not both`, { code: 'E_MOCK_SPEC', location });
  }
  const headers: Record<string, string> = {};
  if (isObject(r.headers)) for (const [k, v] of Object.entries(r.headers)) headers[k] = String(v);
  return {
    status,
    headers,
    json: r.json,
    body: r.body === undefined ? undefined : typeof r.body === 'string' ? r.body : JSON.stringify(r.body),
    delayMs: r.delay === undefined ? 0 : parseDuration(r.delay, `${what}.delay`, location),
  };
}

/**
 * Builds the expectation a driver registers: the request rendered now, the responses kept raw
 * so the embedded server can render them per request with `{ request }` in scope.
 */
export function toExpectation(spec: MockExpectationSpec, render: (value: unknown) => unknown): Expectation {
  const where = `mock "${spec.id}"`;
  const responses = spec.responses ?? (spec.response ? [spec.response] : [{}]);
  if (spec.responses && spec.response) {
    throw new FlowrunError(`${where}: give either response or responses, not both`, {
      code: 'E_MOCK_SPEC',
      location: spec.location,
    });
  }
  if (responses.length === 0) {
    throw new FlowrunError(`${where}: responses is empty`, { code: 'E_MOCK_SPEC', location: spec.location });
  }
  if (spec.times !== undefined && (!Number.isInteger(spec.times) || spec.times < 1)) {
    throw new FlowrunError(`${where}: times must be a whole number of at least 1`, {
      code: 'E_MOCK_SPEC',
      location: spec.location,
    });
  }
  return {
    id: spec.id,
    request: normalizeMatcher(render(spec.request), `${where} request`, spec.location),
    responses,
    times: spec.times,
    priority: spec.priority ?? 0,
    location: spec.location,
  };
}

/** The order expectations are tried in: priority (highest first), then registration order. */
export const byPriority = <T extends { priority: number; order: number }>(a: T, b: T) =>
  b.priority - a.priority || a.order - b.order;

/** Header names whose values never appear in messages or reports. */
export const SENSITIVE_HEADERS = new Set([
  'authorization',
  'cookie',
  'set-cookie',
  'proxy-authorization',
  'x-api-key',
]);

export const maskHeaders = (headers: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k, SENSITIVE_HEADERS.has(k.toLowerCase()) ? '***' : v]),
  );

/** The scope a template sees as `request` when a response is rendered. */
export const templateRequest = (r: RecordedRequest) => ({
  method: r.method,
  path: r.path,
  query: r.query,
  headers: r.headers,
  json: r.json,
  body: r.body,
});
