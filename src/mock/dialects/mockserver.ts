/**
 * Translation between flowrun's mock model and MockServer's JSON (5.x and 8.x shapes): used by
 * the MockServer driver (flowrun -> MockServer) and by the embedded server's control API
 * (MockServer -> flowrun).
 */
import { randomUUID } from 'node:crypto';
import { FlowrunError } from '../../errors.js';
import { parseJsonBody } from '../journal.js';
import type { Expectation, MockResponse, RecordedRequest, RequestMatcher, ValueMatcher } from '../model.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const REGEX_CHARS = /[.*+?^${}()|[\]\\]/;

// ---------------------------------------------------------------------------------------------
// flowrun -> MockServer

function valueToRegex(m: ValueMatcher, what: string): string {
  if (typeof m === 'string') return escapeRegex(m);
  if (m.exists === false)
    throw new FlowrunError(`${what}: "exists: false" is not supported by the mockserver driver`);
  const parts: string[] = [];
  if (m.eq !== undefined) parts.push(escapeRegex(m.eq));
  if (m.matches !== undefined) parts.push(m.matches);
  if (m.contains !== undefined) parts.push(`.*${escapeRegex(m.contains)}.*`);
  if (parts.length > 1)
    throw new FlowrunError(`${what}: combine at most one of eq/matches/contains for the mockserver driver`);
  return parts[0] ?? '.*';
}

const multiMap = (m: Record<string, ValueMatcher> | undefined, what: string) =>
  m && Object.keys(m).length
    ? Object.fromEntries(Object.entries(m).map(([k, v]) => [k, [valueToRegex(v, `${what}.${k}`)]]))
    : undefined;

/** A MockServer `httpRequest` matcher; plain paths are escaped because MockServer treats them as regex. */
export function toMockServerRequest(m: RequestMatcher): Json {
  const out: Json = {};
  if (m.method) out.method = m.method;
  if (m.path !== undefined) out.path = escapeRegex(m.path);
  if (m.pathPattern !== undefined) out.path = m.pathPattern;
  const query = multiMap(m.query, 'query');
  if (query) out.queryStringParameters = query;
  const headers = multiMap(m.headers, 'headers');
  if (headers) out.headers = headers;
  const bodies = [m.json !== undefined, m.body !== undefined, m.bodyPattern !== undefined].filter(
    Boolean,
  ).length;
  if (bodies > 1)
    throw new FlowrunError('request: the mockserver driver takes one of json, body, bodyPattern');
  if (m.json !== undefined) {
    out.body = {
      type: 'JSON',
      json: m.json,
      matchType: m.jsonMatch === 'exact' ? 'STRICT' : 'ONLY_MATCHING_FIELDS',
    };
  }
  if (m.body !== undefined) out.body = { type: 'STRING', string: m.body };
  if (m.bodyPattern !== undefined) out.body = { type: 'REGEX', regex: m.bodyPattern };
  return out;
}

/** A MockServer `httpResponse` (multi-value headers, typed delay). */
export function toMockServerResponse(r: MockResponse): Json {
  const headers: Record<string, string[]> = Object.fromEntries(
    Object.entries(r.headers).map(([k, v]) => [k, [v]]),
  );
  const out: Json = { statusCode: r.status };
  if (r.json !== undefined) {
    out.body = { type: 'JSON', json: r.json };
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['Content-Type'] = ['application/json'];
  } else if (r.body !== undefined) out.body = r.body;
  if (Object.keys(headers).length) out.headers = headers;
  if (r.delayMs > 0) out.delay = { timeUnit: 'MILLISECONDS', value: r.delayMs };
  return out;
}

// ---------------------------------------------------------------------------------------------
// MockServer -> flowrun

/** `{ k: [v] }`, `{ k: v }` or `[{ name, values }]` -> name -> values (regexes or objects). */
function entriesOf(value: unknown): [string, unknown[]][] {
  if (Array.isArray(value)) {
    return value
      .filter(isObject)
      .map((e) => [String(e.name), Array.isArray(e.values) ? e.values : [e.value]]);
  }
  if (isObject(value)) {
    return Object.entries(value)
      .filter(([k]) => k !== 'keyMatchStyle')
      .map(([k, v]) => [k, Array.isArray(v) ? v : [v]]);
  }
  return [];
}

function fromValues(name: string, values: unknown[], what: string): ValueMatcher {
  if (name.startsWith('!') || name.startsWith('?'))
    throw new FlowrunError(`${what}.${name}: negated or optional keys are not supported`);
  const strings = values.map((v) => (isObject(v) ? v.value : v)).filter((v) => v !== undefined);
  if (strings.length > 1) throw new FlowrunError(`${what}.${name}: only one value per key is supported`);
  const s = String(strings[0] ?? '.*');
  if (s.startsWith('!')) throw new FlowrunError(`${what}.${name}: negated values are not supported`);
  return REGEX_CHARS.test(s) ? { matches: s } : s;
}

const valueMap = (value: unknown, what: string, lower: boolean) => {
  const e = entriesOf(value);
  return e.length
    ? Object.fromEntries(e.map(([k, v]) => [lower ? k.toLowerCase() : k, fromValues(k, v, what)]))
    : undefined;
};

const stringOf = (v: unknown): string | undefined =>
  v === undefined
    ? undefined
    : isObject(v)
      ? v.value === undefined
        ? undefined
        : String(v.value)
      : String(v);

/** A MockServer `httpRequest` -> flowrun matcher (MockServer paths are regexes, tried literally first). */
export function fromMockServerRequest(raw: unknown): RequestMatcher {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) throw new FlowrunError('httpRequest: expected an object');
  const m: RequestMatcher = {};
  const method = stringOf(raw.method);
  if (method) m.method = method.toUpperCase();
  const path = stringOf(raw.path);
  if (path !== undefined) {
    if (REGEX_CHARS.test(path)) m.pathPattern = `${escapeRegex(path)}|${path}`;
    else m.path = path;
  }
  m.query = valueMap(raw.queryStringParameters, 'queryStringParameters', false);
  m.headers = valueMap(raw.headers, 'headers', true);
  const body = raw.body;
  if (typeof body === 'string') m.body = body;
  else if (Array.isArray(body)) m.json = body;
  else if (isObject(body)) {
    const type = typeof body.type === 'string' ? body.type : undefined;
    if (type === 'JSON') {
      m.json = typeof body.json === 'string' ? JSON.parse(body.json) : body.json;
      if (body.matchType === 'STRICT') m.jsonMatch = 'exact';
    } else if (type === 'STRING') {
      if (body.subString) m.bodyPattern = `.*${escapeRegex(String(body.string))}.*`;
      else m.body = String(body.string);
    } else if (type === 'REGEX') m.bodyPattern = String(body.regex);
    else if (type === undefined) m.json = body;
    else throw new FlowrunError(`httpRequest.body: type ${type} is not supported (JSON, STRING, REGEX are)`);
  }
  for (const k of Object.keys(m) as (keyof RequestMatcher)[]) if (m[k] === undefined) delete m[k];
  return m;
}

const UNIT_MS: Record<string, number> = {
  MILLISECONDS: 1,
  SECONDS: 1000,
  MINUTES: 60_000,
  MICROSECONDS: 0.001,
};

/** A MockServer `httpResponse` -> flowrun's raw response block. */
export function fromMockServerResponse(raw: unknown): Json {
  const r = isObject(raw) ? raw : {};
  const out: Json = { status: r.statusCode ?? 200 };
  const headers = entriesOf(r.headers);
  if (headers.length)
    out.headers = Object.fromEntries(headers.map(([k, v]) => [k, v.map(String).join(', ')]));
  const body = r.body;
  if (typeof body === 'string') out.body = body;
  else if (isObject(body) && typeof body.type === 'string') {
    if (body.type === 'JSON') out.json = typeof body.json === 'string' ? parseJsonBody(body.json) : body.json;
    else if (body.type === 'STRING') out.body = String(body.string ?? '');
    else throw new FlowrunError(`httpResponse.body: type ${body.type} is not supported`);
  } else if (body !== undefined) out.json = body;
  if (isObject(r.delay)) out.delay = Number(r.delay.value ?? 0) * (UNIT_MS[String(r.delay.timeUnit)] ?? 1);
  return out;
}

/** One MockServer expectation (control API) -> a flowrun expectation of the API scope. */
export function fromMockServerExpectation(raw: unknown): Expectation {
  if (!isObject(raw)) throw new FlowrunError('expectation: expected an object');
  const unsupported = Object.keys(raw).filter(
    (k) =>
      k.startsWith('httpForward') ||
      k.endsWith('Callback') ||
      k === 'httpResponseTemplate' ||
      k === 'httpError',
  );
  if (unsupported.length)
    throw new FlowrunError(`expectation: ${unsupported.join(', ')} is not supported by flowrun's mock`);
  const responses = Array.isArray(raw.httpResponses)
    ? raw.httpResponses.map(fromMockServerResponse)
    : [fromMockServerResponse(raw.httpResponse)];
  const times =
    isObject(raw.times) && !raw.times.unlimited && raw.times.remainingTimes !== undefined
      ? Number(raw.times.remainingTimes)
      : undefined;
  return {
    id: typeof raw.id === 'string' && raw.id ? raw.id : randomUUID(),
    request: fromMockServerRequest(raw.httpRequest),
    responses,
    times,
    priority: Number(raw.priority ?? 0),
  };
}

/** A recorded request as MockServer's `retrieve?type=REQUESTS` shows it. */
export function toMockServerRecorded(r: RecordedRequest): Json {
  const out: Json = { method: r.method, path: r.path };
  if (Object.keys(r.query).length) {
    out.queryStringParameters = Object.fromEntries(
      Object.entries(r.query).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]),
    );
  }
  out.headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, [v]]));
  if (r.body)
    out.body = r.json !== undefined ? { type: 'JSON', json: r.json } : { type: 'STRING', string: r.body };
  return out;
}

/** MockServer's recorded request -> flowrun's RecordedRequest. */
export function fromMockServerRecorded(raw: Json, seq: number): RecordedRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of entriesOf(raw.headers)) headers[k.toLowerCase()] = v.map(String).join(', ');
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of entriesOf(raw.queryStringParameters))
    query[k] = v.length === 1 ? String(v[0]) : v.map(String);
  let body = '';
  const b = raw.body;
  if (typeof b === 'string') body = b;
  else if (isObject(b)) {
    if (typeof b.rawBytes === 'string') body = Buffer.from(b.rawBytes, 'base64').toString('utf8');
    else if (b.type === 'JSON') body = typeof b.json === 'string' ? b.json : JSON.stringify(b.json);
    else if (typeof b.string === 'string') body = b.string;
    else body = JSON.stringify(b);
  } else if (b !== undefined) body = JSON.stringify(b);
  return {
    seq,
    at: typeof raw.timestamp === 'string' ? raw.timestamp : new Date().toISOString(),
    method: String(raw.method ?? 'GET'),
    path: String(raw.path ?? '/'),
    query,
    headers,
    body,
    json: parseJsonBody(body),
  };
}
