/**
 * Drives an existing WireMock (3.x `/__admin` API) with flowrun's model. Translation notes:
 * priorities are inverted (WireMock: 1 wins), paths always use `urlPath`/`urlPathPattern` so
 * `queryParameters` apply, `times` and `responses:` become a WireMock scenario (a chain of
 * states), and every stub carries `metadata.flowrun.scope` so only the scope's stubs are removed.
 */
import { randomUUID } from 'node:crypto';
import { FlowrunError } from '../../errors.js';
import type { Location, MockExpectationSpec } from '../../types.js';
import type { MockDriver, RenderFn } from '../driver.js';
import {
  jsonPathOf,
  renderWithPlaceholders,
  replaceTokens,
  type Placeholder,
} from '../dialects/placeholders.js';
import { parseJsonBody, requestSummary } from '../journal.js';
import {
  byPriority,
  normalizeResponse,
  toExpectation,
  type Expectation,
  type RecordedRequest,
  type RequestMatcher,
  type ValueMatcher,
} from '../model.js';
import { adminCall, scopeTag, waitReachable } from './http.js';

type Json = Record<string, unknown>;
const MAX_CHAIN = 200;

interface Scope {
  expectations: Expectation[];
  /** Epoch ms at registration; WireMock's journal is filtered by loggedDate from here. */
  since: number;
}

function operator(m: ValueMatcher): Json {
  if (typeof m === 'string') return { equalTo: m };
  if (m.exists === false) return { absent: true };
  const ops: Json[] = [];
  if (m.eq !== undefined) ops.push({ equalTo: m.eq });
  if (m.matches !== undefined) ops.push({ matches: m.matches });
  if (m.contains !== undefined) ops.push({ contains: m.contains });
  if (ops.length === 0) return { matches: '.*' };
  return ops.length === 1 ? ops[0] : { and: ops };
}

const operators = (m: Record<string, ValueMatcher> | undefined) =>
  m && Object.keys(m).length
    ? Object.fromEntries(Object.entries(m).map(([k, v]) => [k, operator(v)]))
    : undefined;

/** A WireMock request pattern for a flowrun matcher. */
export function toWireMockRequest(m: RequestMatcher): Json {
  const out: Json = { method: m.method ?? 'ANY' };
  if (m.path !== undefined) out.urlPath = m.path;
  if (m.pathPattern !== undefined) out.urlPathPattern = m.pathPattern;
  const query = operators(m.query);
  if (query) out.queryParameters = query;
  const headers = operators(m.headers);
  if (headers) out.headers = headers;
  const bodyPatterns: Json[] = [];
  if (m.json !== undefined) {
    bodyPatterns.push({
      equalToJson: m.json,
      ignoreExtraElements: m.jsonMatch !== 'exact',
      ignoreArrayOrder: false,
    });
  }
  if (m.body !== undefined) bodyPatterns.push({ equalTo: m.body });
  if (m.bodyPattern !== undefined) bodyPatterns.push({ matches: m.bodyPattern });
  if (bodyPatterns.length) out.bodyPatterns = bodyPatterns;
  return out;
}

/** WireMock's handlebars syntax for a request value echoed into a response. */
function handlebars(p: Placeholder): string {
  const [head, ...rest] = p.path;
  if (head === 'json') return `{{jsonPath request.body '${jsonPathOf(rest)}'}}`;
  if (head === 'headers') return `{{request.headers.[${rest[0]}]}}`;
  if (head === 'query') return `{{request.query.[${rest[0]}]}}`;
  if (head === 'path' || head === 'method' || head === 'body') return `{{request.${head}}}`;
  throw new FlowrunError(
    `response template request.${p.path.join('.')} is not supported by the wiremock driver`,
  );
}

export class WireMockDriver implements MockDriver {
  readonly kind = 'wiremock' as const;
  private readonly scopes = new Map<string, Scope>();

  private constructor(
    readonly name: string,
    readonly url: string,
  ) {}

  static async connect(
    name: string,
    url: string,
    location?: Location,
    timeoutMs = 5000,
  ): Promise<WireMockDriver> {
    const driver = new WireMockDriver(name, url.replace(/\/+$/, ''));
    await waitReachable(
      name,
      url,
      async () => (await driver.call('GET', '/__admin/health')).status === 200,
      timeoutMs,
      location,
    );
    return driver;
  }

  private call(method: string, path: string, body?: unknown) {
    return adminCall(this.name, this.url, method, path, body);
  }

  async register(scopeId: string, specs: MockExpectationSpec[], render: RenderFn): Promise<void> {
    const tag = scopeTag(scopeId);
    const expectations = specs.map((s) => toExpectation(s, (v) => render(v)));
    // Distinct WireMock priorities reproduce flowrun's order exactly (higher flowrun priority
    // first, then registration order), since equal WireMock priorities prefer the newest stub.
    const ranked = expectations
      .map((exp, order) => ({ exp, order, priority: exp.priority }))
      .sort(byPriority);
    const mappings: Json[] = [];
    ranked.forEach(({ exp }, rank) => {
      const request = toWireMockRequest(exp.request);
      const responses = exp.responses.map((raw, i) => this.response(exp, raw, i, render));
      const metadata = { flowrun: { scope: scopeId, id: exp.id } };
      const base = { request, priority: rank + 1, metadata, persistent: false };
      if (exp.times === undefined && responses.length === 1) {
        mappings.push({ id: randomUUID(), name: exp.id, ...base, response: responses[0] });
        return;
      }
      const n = exp.times ?? responses.length;
      if (n > MAX_CHAIN) {
        throw new FlowrunError(`mock "${exp.id}": the wiremock driver supports times up to ${MAX_CHAIN}`, {
          code: 'E_MOCK_SPEC',
          location: exp.location,
        });
      }
      const scenarioName = `flowrun-${tag}-${exp.id}`;
      for (let i = 0; i < n; i++) {
        const next = i < n - 1 ? `s${i + 1}` : exp.times !== undefined ? 'exhausted' : undefined;
        mappings.push({
          id: randomUUID(),
          name: `${exp.id} #${i + 1}`,
          ...base,
          scenarioName,
          requiredScenarioState: i === 0 ? 'Started' : `s${i}`,
          ...(next ? { newScenarioState: next } : {}),
          response: responses[Math.min(i, responses.length - 1)],
        });
      }
    });
    const since = Date.now();
    if (mappings.length) {
      const answer = await this.call('POST', '/__admin/mappings/import', {
        mappings,
        importOptions: { duplicatePolicy: 'OVERWRITE', deleteAllNotInImport: false },
      });
      if (answer.status >= 300) {
        const errors = (
          answer.json as { errors?: { source?: { pointer?: string }; detail?: string; title?: string }[] }
        )?.errors;
        const detail = errors?.length
          ? errors.map((e) => `${e.source?.pointer ?? ''} ${e.detail ?? e.title ?? ''}`.trim()).join('; ')
          : answer.text.slice(0, 1000);
        throw new FlowrunError(
          `mock server "${this.name}" (WireMock) refused the stubs (${answer.status}): ${detail}`,
          {
            code: 'E_MOCK_DRIVER',
            location: specs[0]?.location,
          },
        );
      }
    }
    this.scopes.set(scopeId, { expectations, since });
  }

  private response(exp: Expectation, raw: Record<string, unknown>, i: number, render: RenderFn): Json {
    const { value, placeholders } = renderWithPlaceholders(raw, render);
    const r = normalizeResponse(value, `mock "${exp.id}" response ${i + 1}`, exp.location);
    const headers = { ...r.headers };
    const out: Json = { status: r.status };
    if (r.json !== undefined) {
      out.jsonBody = r.json;
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
        headers['Content-Type'] = 'application/json';
    } else if (r.body !== undefined) out.body = r.body;
    if (Object.keys(headers).length) out.headers = headers;
    if (r.delayMs > 0) out.fixedDelayMilliseconds = r.delayMs;
    if (placeholders.length === 0) return out;
    return { ...(replaceTokens(out, placeholders, handlebars) as Json), transformers: ['response-template'] };
  }

  async unregister(scopeId: string): Promise<{ unmatched: unknown[] }> {
    const scope = this.scopes.get(scopeId);
    if (!scope) return { unmatched: [] };
    const { requests } = await this.requests(scopeId);
    this.scopes.delete(scopeId);
    const answer = await this.call('POST', '/__admin/mappings/remove-by-metadata', {
      matchesJsonPath: { expression: '$.flowrun.scope', equalTo: scopeId },
    });
    if (answer.status >= 300) {
      throw new FlowrunError(
        `mock server "${this.name}" (WireMock): removing the stubs failed (${answer.status}): ${answer.text}`,
      );
    }
    const unmatched = requests.filter((r) => !r.matched).map((r) => requestSummary(r, { server: this.name }));
    return { unmatched };
  }

  matcherOf(scopeId: string, id: string): RequestMatcher | undefined {
    return this.scopes.get(scopeId)?.expectations.find((e) => e.id === id)?.request;
  }

  async requests(scopeId: string): Promise<{ requests: RecordedRequest[]; dropped: number }> {
    const scope = this.scopes.get(scopeId);
    if (!scope) return { requests: [], dropped: 0 };
    const since = new Date(scope.since - 1).toISOString();
    const answer = await this.call('GET', `/__admin/requests?since=${encodeURIComponent(since)}`);
    const events = (answer.json as { requests?: Json[]; requestJournalDisabled?: boolean } | undefined) ?? {};
    if (answer.status !== 200 || !Array.isArray(events.requests)) {
      throw new FlowrunError(
        `mock server "${this.name}" (WireMock): reading the journal failed (${answer.status})`,
      );
    }
    if (events.requestJournalDisabled) {
      throw new FlowrunError(
        `mock server "${this.name}" (WireMock) runs with --no-request-journal; verify needs the journal`,
      );
    }
    // WireMock lists newest first; reverse, then a stable sort by time keeps arrival order.
    const requests = [...events.requests]
      .reverse()
      .map((e) => fromServeEvent(e))
      .filter((r) => Date.parse(r.at) >= scope.since)
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
      .map((r, i) => ({ ...r, seq: i + 1 }));
    return { requests, dropped: 0 };
  }

  async close(): Promise<void> {
    for (const scopeId of [...this.scopes.keys()]) await this.unregister(scopeId).catch(() => undefined);
  }
}

/** A WireMock ServeEvent -> flowrun's RecordedRequest. */
function fromServeEvent(e: Json): RecordedRequest {
  const req = (e.request ?? {}) as Json;
  const url = new URL(String(req.url ?? '/'), 'http://wiremock');
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries((req.queryParams ?? {}) as Record<string, { values?: string[] }>)) {
    const values = v.values ?? [];
    query[k] = values.length === 1 ? values[0] : values;
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries((req.headers ?? {}) as Record<string, unknown>)) {
    headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  const body = typeof req.body === 'string' ? req.body : '';
  const stub = e.stubMapping as
    { metadata?: { flowrun?: { id?: string; scope?: string } }; id?: string } | undefined;
  const response = e.response as { status?: number } | undefined;
  return {
    seq: 0,
    at: new Date(Number(req.loggedDate ?? Date.now())).toISOString(),
    method: String(req.method ?? 'GET'),
    path: url.pathname,
    query,
    headers,
    body,
    json: parseJsonBody(body),
    ...(e.wasMatched
      ? {
          matched: {
            id: stub?.metadata?.flowrun?.id ?? String(stub?.id ?? ''),
            scope: stub?.metadata?.flowrun?.scope,
          },
        }
      : {}),
    ...(response?.status === undefined ? {} : { status: response.status }),
  };
}
