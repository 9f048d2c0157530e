/**
 * The MockServer REST control API served by the embedded server (`PUT /mockserver/...`), for
 * teams whose tooling already speaks MockServer 5.x/8.x. Expectations created here live in the
 * API scope; verification answers 202 or 406 with flowrun's field-by-field explanation.
 */
import { FlowrunError } from '../../errors.js';
import { differences } from '../match.js';
import {
  fromMockServerExpectation,
  fromMockServerRequest,
  toMockServerRecorded,
  toMockServerRequest,
  toMockServerResponse,
} from '../dialects/mockserver.js';
import type { Journal } from '../journal.js';
import { normalizeResponse, type Expectation, type RequestMatcher } from '../model.js';
import { evaluateVerification, normalizeTimes } from '../verify.js';

/** An expectation created through the control API, as the server holds it. */
export interface ApiExpectation {
  exp: Expectation;
  answered: number;
}

/** What the control API needs of the server it is served by (the embedded server implements it). */
export interface ControlTarget {
  readonly name: string;
  readonly port: number;
  readonly journal: Journal;
  upsertApiExpectation(exp: Expectation): ApiExpectation;
  apiExpectations(): ApiExpectation[];
  removeApiExpectations(predicate: (a: ApiExpectation) => boolean): void;
}

export interface ApiAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

const json = (status: number, value: unknown): ApiAnswer => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value, null, 2),
});
const text = (status: number, body: string): ApiAnswer => ({
  status,
  headers: { 'content-type': 'text/plain' },
  body,
});

function parse(body: string): unknown {
  if (!body.trim()) return undefined;
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new FlowrunError(`incorrect json format: ${(error as Error).message}`);
  }
}

export function handleControlApi(server: ControlTarget, url: URL, body: string): ApiAnswer {
  try {
    const action = url.pathname.replace(/^\/mockserver\//, '').replace(/\/$/, '');
    switch (action) {
      case 'expectation':
        return upsert(server, parse(body));
      case 'verify':
        return verify(server, parse(body));
      case 'retrieve':
        return retrieve(server, url, parse(body));
      case 'clear':
        return clear(server, url, parse(body));
      case 'reset':
        server.removeApiExpectations(() => true);
        server.journal.clear();
        return { status: 200 };
      case 'status':
        return json(200, { ports: [server.port] });
      default:
        return text(404, `flowrun mock: unknown control endpoint ${url.pathname}`);
    }
  } catch (error) {
    return text(400, (error as Error).message);
  }
}

function upsert(server: ControlTarget, raw: unknown): ApiAnswer {
  const list = Array.isArray(raw) ? raw : [raw];
  // Validate everything before storing anything, so a bad array changes nothing.
  const exps = list.map((e) => {
    const exp = fromMockServerExpectation(e);
    exp.responses.forEach((r) => normalizeResponse(r, `expectation ${exp.id} httpResponse`));
    return exp;
  });
  const stored = exps.map((exp) => server.upsertApiExpectation(exp));
  return json(
    201,
    stored.map((a) => toMockServerJson(a.exp)),
  );
}

function toMockServerJson(exp: ReturnType<typeof fromMockServerExpectation>) {
  const responses = exp.responses.map((r) => toMockServerResponse(normalizeResponse(r)));
  return {
    id: exp.id,
    priority: exp.priority,
    httpRequest: toMockServerRequest(exp.request),
    ...(responses.length === 1 ? { httpResponse: responses[0] } : { httpResponses: responses }),
    times: exp.times === undefined ? { unlimited: true } : { remainingTimes: exp.times, unlimited: false },
    timeToLive: { unlimited: true },
  };
}

function verify(server: ControlTarget, raw: unknown): ApiAnswer {
  if (!raw || typeof raw !== 'object')
    throw new FlowrunError('verify: expected { httpRequest | expectationId, times }');
  const v = raw as Record<string, unknown>;
  let matcher: RequestMatcher;
  let label: string;
  if (v.expectationId && typeof v.expectationId === 'object') {
    const id = String((v.expectationId as Record<string, unknown>).id);
    const found = server.apiExpectations().find((a) => a.exp.id === id);
    // MockServer once reported unknown ids as a pass (mock-server#987); flowrun refuses.
    if (!found) return text(400, `no expectation found with id ${id}`);
    matcher = found.exp.request;
    label = `expectation "${id}"`;
  } else {
    matcher = fromMockServerRequest(v.httpRequest);
    label = 'httpRequest';
  }
  const t = (v.times ?? {}) as Record<string, unknown>;
  const times = normalizeTimes({
    ...(t.atLeast !== undefined ? { atLeast: Number(t.atLeast) } : {}),
    ...(t.atMost !== undefined && Number(t.atMost) >= 0 ? { atMost: Number(t.atMost) } : {}),
  });
  const outcome = evaluateVerification({
    requests: server.journal.since(0),
    dropped: server.journal.dropped,
    matcher,
    label,
    server: server.name,
    times,
  });
  return outcome.passed ? { status: 202 } : text(406, outcome.assertions.map((a) => a.message).join('\n'));
}

function retrieve(server: ControlTarget, url: URL, raw: unknown): ApiAnswer {
  const type = (url.searchParams.get('type') ?? 'REQUESTS').toUpperCase();
  const filter = fromMockServerRequest(raw);
  if (type === 'REQUESTS' || type === 'REQUEST_RESPONSES') {
    const requests = server.journal.since(0).filter((r) => differences(filter, r).length === 0);
    if (type === 'REQUESTS') return json(200, requests.map(toMockServerRecorded));
    return json(
      200,
      requests
        .filter((r) => r.matched)
        .map((r) => ({
          httpRequest: toMockServerRecorded(r),
          httpResponse: { statusCode: r.status },
          timestamp: r.at,
        })),
    );
  }
  if (type === 'ACTIVE_EXPECTATIONS') {
    return json(
      200,
      server.apiExpectations().map((a) => toMockServerJson(a.exp)),
    );
  }
  return text(
    400,
    `retrieve type ${type} is not supported (REQUESTS, REQUEST_RESPONSES, ACTIVE_EXPECTATIONS are)`,
  );
}

function clear(server: ControlTarget, url: URL, raw: unknown): ApiAnswer {
  const type = (url.searchParams.get('type') ?? 'ALL').toUpperCase();
  const body = (raw ?? {}) as Record<string, unknown>;
  const byId = typeof body.id === 'string' ? body.id : undefined;
  const filter = byId ? undefined : fromMockServerRequest(raw);
  const isEmpty = !filter || Object.keys(filter).length === 0;
  if (type === 'ALL' || type === 'EXPECTATIONS') {
    server.removeApiExpectations((a) =>
      byId ? a.exp.id === byId : isEmpty || JSON.stringify(a.exp.request) === JSON.stringify(filter),
    );
  }
  if ((type === 'ALL' || type === 'LOG') && !byId) {
    if (isEmpty) server.journal.clear();
    else server.journal.remove((r) => differences(filter!, r).length === 0);
  }
  return { status: 200 };
}
