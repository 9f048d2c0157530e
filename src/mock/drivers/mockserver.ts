/**
 * Drives an existing MockServer (5.x/8.x REST API) with flowrun's model. Expectations get ids
 * derived from the scope so ending a scenario clears only its own; the scope's request window
 * starts at the journal length seen at registration (MockServer's REQUESTS have no timestamps).
 */
import { FlowrunError } from '../../errors.js';
import type { Location, MockExpectationSpec } from '../../types.js';
import type { MockDriver, RenderFn } from '../driver.js';
import {
  jsonPathOf,
  renderWithPlaceholders,
  replaceTokens,
  type Placeholder,
} from '../dialects/placeholders.js';
import { fromMockServerRecorded, toMockServerRequest, toMockServerResponse } from '../dialects/mockserver.js';
import { requestSummary } from '../journal.js';
import { differences } from '../match.js';
import {
  normalizeResponse,
  toExpectation,
  type Expectation,
  type RecordedRequest,
  type RequestMatcher,
} from '../model.js';
import { adminCall, scopeTag, waitReachable } from './http.js';

interface Scope {
  expectations: Expectation[];
  ids: string[];
  watermark: number;
}

/** MockServer's mustache syntax for a request value echoed into a response. */
function mustache(p: Placeholder): string {
  const [head, ...rest] = p.path;
  if (head === 'json') return `{{#jsonPath}}${jsonPathOf(rest)}{{/jsonPath}}{{jsonPathResult}}`;
  if (head === 'headers') return `{{request.headers.${rest[0]}.0}}`;
  if (head === 'query') return `{{request.queryStringParameters.${rest[0]}.0}}`;
  if (head === 'path' || head === 'method' || head === 'body') return `{{request.${head}}}`;
  throw new FlowrunError(
    `response template request.${p.path.join('.')} is not supported by the mockserver driver`,
  );
}

export class MockServerDriver implements MockDriver {
  readonly kind = 'mockserver' as const;
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
  ): Promise<MockServerDriver> {
    const driver = new MockServerDriver(name, url.replace(/\/+$/, ''));
    await waitReachable(
      name,
      url,
      async () => (await driver.call('PUT', '/mockserver/status')).status === 200,
      timeoutMs,
      location,
    );
    return driver;
  }

  private call(method: string, path: string, body?: unknown) {
    return adminCall(this.name, this.url, method, path, body);
  }

  private async journal(): Promise<Record<string, unknown>[]> {
    const answer = await this.call('PUT', '/mockserver/retrieve?type=REQUESTS&format=JSON');
    if (answer.status !== 200 || !Array.isArray(answer.json)) {
      throw new FlowrunError(
        `mock server "${this.name}": retrieve failed (${answer.status}): ${answer.text.slice(0, 500)}`,
      );
    }
    return answer.json as Record<string, unknown>[];
  }

  async register(scopeId: string, specs: MockExpectationSpec[], render: RenderFn): Promise<void> {
    const tag = scopeTag(scopeId);
    const expectations = specs.map((s) => toExpectation(s, (v) => render(v)));
    const body: unknown[] = [];
    const ids: string[] = [];
    for (const exp of expectations) {
      const responses = exp.responses.map((raw, i) => this.response(exp, raw, i, render));
      const k = responses.length;
      // A response list becomes a chain of one-shot expectations of equal priority: MockServer
      // tries equal priorities in creation order, and a used-up expectation stops matching.
      responses.forEach((response, i) => {
        const last = i === k - 1;
        if (exp.times !== undefined && i >= exp.times) return;
        const remaining = last ? (exp.times === undefined ? undefined : exp.times - (k - 1)) : 1;
        const id = `flowrun-${tag}-${exp.id}${k > 1 ? `-${i}` : ''}`;
        ids.push(id);
        body.push({
          id,
          priority: exp.priority,
          httpRequest: toMockServerRequest(exp.request),
          ...response,
          times:
            remaining === undefined ? { unlimited: true } : { remainingTimes: remaining, unlimited: false },
          timeToLive: { unlimited: true },
        });
      });
    }
    const watermark = (await this.journal()).length;
    if (body.length) {
      const answer = await this.call('PUT', '/mockserver/expectation', body);
      if (answer.status !== 201) {
        throw new FlowrunError(
          `mock server "${this.name}" (MockServer) refused the expectations (${answer.status}): ${answer.text.slice(0, 1000)}`,
          { code: 'E_MOCK_DRIVER', location: specs[0]?.location },
        );
      }
    }
    this.scopes.set(scopeId, { expectations, ids, watermark });
  }

  private response(exp: Expectation, raw: Record<string, unknown>, i: number, render: RenderFn) {
    const { value, placeholders } = renderWithPlaceholders(raw, render);
    const response = toMockServerResponse(
      normalizeResponse(value, `mock "${exp.id}" response ${i + 1}`, exp.location),
    );
    if (placeholders.length === 0) return { httpResponse: response };
    const template = JSON.stringify(replaceTokens(response, placeholders, mustache));
    return { httpResponseTemplate: { templateType: 'MUSTACHE', template } };
  }

  async unregister(scopeId: string): Promise<{ unmatched: unknown[] }> {
    const scope = this.scopes.get(scopeId);
    if (!scope) return { unmatched: [] };
    const { requests } = await this.requests(scopeId);
    this.scopes.delete(scopeId);
    for (const id of scope.ids) await this.call('PUT', '/mockserver/clear?type=EXPECTATIONS', { id });
    // MockServer does not say which requests it answered; flowrun's own matcher decides.
    const unmatched = requests
      .filter((r) => scope.expectations.every((e) => differences(e.request, r).length > 0))
      .map((r) => requestSummary(r, { server: this.name }));
    return { unmatched };
  }

  matcherOf(scopeId: string, id: string): RequestMatcher | undefined {
    return this.scopes.get(scopeId)?.expectations.find((e) => e.id === id)?.request;
  }

  async requests(scopeId: string): Promise<{ requests: RecordedRequest[]; dropped: number }> {
    const scope = this.scopes.get(scopeId);
    if (!scope) return { requests: [], dropped: 0 };
    const all = await this.journal();
    // A shorter journal than at registration means someone cleared the log: keep what is there.
    const from = all.length >= scope.watermark ? scope.watermark : 0;
    return { requests: all.slice(from).map((r, i) => fromMockServerRecorded(r, from + i + 1)), dropped: 0 };
  }

  async close(): Promise<void> {
    for (const scopeId of [...this.scopes.keys()]) await this.unregister(scopeId).catch(() => undefined);
  }
}
