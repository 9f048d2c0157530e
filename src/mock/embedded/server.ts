/**
 * flowrun's embedded mock server: node:http on loopback, expectations grouped by scope (one
 * scope per running scenario), a bounded journal, and 404s that name the closest expectation
 * and the field that differed. It also serves the MockServer control API (control-api.ts).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FlowrunError, formatLocation } from '../../errors.js';
import type { Location, MockExpectationSpec } from '../../types.js';
import type { MockDriver, RenderFn } from '../driver.js';
import { Journal, parseJsonBody, parseQuery, requestSummary } from '../journal.js';
import { differences, rankClosest } from '../match.js';
import {
  byPriority,
  normalizeResponse,
  templateRequest,
  toExpectation,
  type Expectation,
  type RecordedRequest,
  type RequestMatcher,
} from '../model.js';
import { handleControlApi } from './control-api.js';

/** The scope holding expectations created through the control API or `flowrun mock`. */
export const API_SCOPE = '__mockserver-api__';

const MAX_BODY = 10 * 1024 * 1024;
const MAX_UNMATCHED_PER_SCOPE = 200;

export interface ActiveExpectation {
  scope: string;
  exp: Expectation;
  order: number;
  priority: number;
  answered: number;
  /** How this expectation's responses are rendered, when not the scope's (control API entries). */
  render?: RenderFn;
}

interface Scope {
  id: string;
  startSeq: number;
  render: RenderFn;
  actives: ActiveExpectation[];
  unmatched: Record<string, unknown>[];
  unmatchedDropped: number;
}

export interface EmbeddedOptions {
  name: string;
  port?: number;
  host?: string;
  journalLimit?: number;
  location?: Location;
}

const identity: RenderFn = (v) => v;

export class EmbeddedMockServer implements MockDriver {
  readonly kind = 'embedded' as const;
  readonly name: string;
  readonly journal: Journal;
  private readonly server: http.Server;
  private readonly scopes = new Map<string, Scope>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<Socket>();
  private order = 0;
  private baseUrl = '';
  private closed = false;

  private constructor(options: EmbeddedOptions) {
    this.name = options.name;
    this.journal = new Journal(options.journalLimit);
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((error: Error) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`flowrun mock "${this.name}": internal error: ${error.message}`);
      });
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  /** Starts a server; a busy port is a FlowrunError naming the mock, the port and the env file. */
  static async start(options: EmbeddedOptions): Promise<EmbeddedMockServer> {
    const mock = new EmbeddedMockServer(options);
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? 0;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        const where = options.location ? ` (${formatLocation(options.location)})` : '';
        const reason =
          error.code === 'EADDRINUSE'
            ? 'the port is already in use'
            : error.code === 'EACCES'
              ? 'permission denied'
              : error.message;
        reject(
          new FlowrunError(
            `mock server "${options.name}" cannot listen on ${host}:${port}: ${reason}${where}`,
            {
              code: 'E_MOCK_PORT',
              location: options.location,
              hint:
                'choose another port, or port: 0 for a free one (its URL is {{mocks.' +
                options.name +
                '.url}})',
              cause: error,
            },
          ),
        );
      };
      mock.server.once('error', onError);
      mock.server.listen(port, host, () => {
        mock.server.off('error', onError);
        resolve();
      });
    });
    const address = mock.server.address() as AddressInfo;
    mock.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    return mock;
  }

  get url(): string {
    return this.baseUrl;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async register(scopeId: string, specs: MockExpectationSpec[], render: RenderFn): Promise<void> {
    if (this.scopes.has(scopeId))
      throw new FlowrunError(`mock "${this.name}": scope ${scopeId} is already registered`);
    const seen = new Set<string>();
    const actives = specs.map((spec) => {
      if (seen.has(spec.id)) {
        throw new FlowrunError(`mock "${spec.id}" is defined twice`, {
          code: 'E_MOCK_SPEC',
          location: spec.location,
        });
      }
      seen.add(spec.id);
      return this.activate(
        scopeId,
        toExpectation(spec, (v) => render(v)),
      );
    });
    this.scopes.set(scopeId, {
      id: scopeId,
      startSeq: this.journal.seq,
      render,
      actives,
      unmatched: [],
      unmatchedDropped: 0,
    });
  }

  async unregister(scopeId: string): Promise<{ unmatched: unknown[] }> {
    const scope = this.scopes.get(scopeId);
    this.scopes.delete(scopeId);
    if (!scope) return { unmatched: [] };
    const unmatched: unknown[] = [...scope.unmatched];
    if (scope.unmatchedDropped)
      unmatched.push({ note: `${scope.unmatchedDropped} more unmatched requests not kept` });
    return { unmatched };
  }

  matcherOf(scopeId: string, id: string): RequestMatcher | undefined {
    return this.scopes.get(scopeId)?.actives.find((a) => a.exp.id === id)?.exp.request;
  }

  /**
   * The scope's window of the journal, minus requests another scope's expectation answered:
   * scenarios whose expectations match disjoint data can share a server without counting each
   * other's calls.
   */
  async requests(scopeId: string): Promise<{ requests: RecordedRequest[]; dropped: number }> {
    const scope = this.scopes.get(scopeId);
    if (!scope) return { requests: [], dropped: 0 };
    const requests = this.journal
      .since(scope.startSeq)
      .filter((r) => !r.matched || r.matched.scope === scopeId || r.matched.scope === API_SCOPE);
    const first = this.journal.since(0)[0];
    const dropped = first && first.seq > scope.startSeq ? first.seq - scope.startSeq : 0;
    return { requests, dropped };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }

  // -- used by the control API ---------------------------------------------------------------

  /** Adds or replaces (same id) an expectation of the API scope. */
  upsertApiExpectation(exp: Expectation, render: RenderFn = identity): ActiveExpectation {
    let scope = this.scopes.get(API_SCOPE);
    if (!scope) {
      scope = { id: API_SCOPE, startSeq: 1, render, actives: [], unmatched: [], unmatchedDropped: 0 };
      this.scopes.set(API_SCOPE, scope);
    }
    // Per expectation: one PUT through the control API (not rendered) must not change how the
    // expectations of `flowrun mock <file>` (rendered) answer.
    const active = { ...this.activate(API_SCOPE, exp), render };
    const i = scope.actives.findIndex((a) => a.exp.id === exp.id);
    if (i >= 0) scope.actives[i] = active;
    else scope.actives.push(active);
    return active;
  }

  apiExpectations(): ActiveExpectation[] {
    return [...(this.scopes.get(API_SCOPE)?.actives ?? [])];
  }

  removeApiExpectations(predicate: (a: ActiveExpectation) => boolean): void {
    const scope = this.scopes.get(API_SCOPE);
    if (scope) scope.actives = scope.actives.filter((a) => !predicate(a));
  }

  private activate(scope: string, exp: Expectation): ActiveExpectation {
    return { scope, exp, order: this.order++, priority: exp.priority, answered: 0 };
  }

  private allActives(): ActiveExpectation[] {
    return [...this.scopes.values()].flatMap((s) => s.actives).sort(byPriority);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) {
        res
          .writeHead(413, { 'content-type': 'text/plain' })
          .end('request body too large for the flowrun mock');
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://mock');
    if (url.pathname.startsWith('/mockserver/') && (req.method === 'PUT' || req.method === 'POST')) {
      const answer = handleControlApi(this, url, body);
      res.writeHead(answer.status, answer.headers ?? {}).end(answer.body ?? '');
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const incoming: RecordedRequest = {
      seq: 0,
      at: new Date().toISOString(),
      method: req.method ?? 'GET',
      path: url.pathname,
      query: parseQuery(url.searchParams),
      headers,
      body,
      json: parseJsonBody(body),
    };
    const actives = this.allActives();
    const hit = actives.find(
      (a) =>
        (a.exp.times === undefined || a.answered < a.exp.times) &&
        differences(a.exp.request, incoming).length === 0,
    );
    if (hit) {
      await this.answer(hit, incoming, res);
      return;
    }
    this.notFound(actives, incoming, res);
  }

  private async answer(
    hit: ActiveExpectation,
    incoming: RecordedRequest,
    res: http.ServerResponse,
  ): Promise<void> {
    const raw = hit.exp.responses[Math.min(hit.answered, hit.exp.responses.length - 1)];
    hit.answered++;
    const entry = this.journal.add({ ...incoming, matched: { scope: hit.scope, id: hit.exp.id } });
    const render = hit.render ?? this.scopes.get(hit.scope)?.render ?? identity;
    let response;
    try {
      response = normalizeResponse(
        render(raw, { request: templateRequest(incoming) }),
        `mock "${hit.exp.id}" response`,
      );
    } catch (error) {
      entry.status = 500;
      res
        .writeHead(500, { 'content-type': 'text/plain' })
        .end(
          `flowrun mock "${this.name}": cannot render the response of "${hit.exp.id}": ${(error as Error).message}`,
        );
      return;
    }
    entry.status = response.status;
    if (response.delayMs > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          resolve();
        }, response.delayMs);
        this.timers.add(t);
      });
      if (this.closed) return;
    }
    const headers: Record<string, string> = { ...response.headers };
    let payload = response.body ?? '';
    if (response.json !== undefined) {
      payload = JSON.stringify(response.json);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        headers['content-type'] = 'application/json';
      }
    }
    res.writeHead(response.status, headers).end(payload);
  }

  private notFound(actives: ActiveExpectation[], incoming: RecordedRequest, res: http.ServerResponse): void {
    const entry = this.journal.add({ ...incoming, status: 404 });
    const closest = rankClosest(actives, (a) => {
      const diffs = differences(a.exp.request, incoming);
      if (diffs.length === 0 && a.exp.times !== undefined) {
        return [
          {
            field: 'times',
            expected: a.exp.times,
            actual: a.answered,
            message: `times: already answered ${a.answered} of ${a.exp.times} times`,
          },
        ];
      }
      return diffs;
    }).map(({ candidate, differences: d }) => ({
      id: candidate.exp.id,
      ...(candidate.scope === API_SCOPE ? {} : { scenario: candidate.scope }),
      differences: d.map((x) => x.message),
    }));
    const error =
      actives.length === 0
        ? `flowrun mock "${this.name}": no expectations are registered (no scenario is using this mock server right now): ${incoming.method} ${incoming.path}`
        : `flowrun mock "${this.name}": no expectation matched ${incoming.method} ${incoming.path}`;
    for (const scope of this.scopes.values()) {
      if (scope.id === API_SCOPE) continue;
      if (scope.unmatched.length >= MAX_UNMATCHED_PER_SCOPE) scope.unmatchedDropped++;
      else scope.unmatched.push(requestSummary(entry, { server: this.name, closest: closest.slice(0, 1) }));
    }
    res
      .writeHead(404, { 'content-type': 'application/json', 'x-flowrun-unmatched': 'true' })
      .end(JSON.stringify({ error, closest }, null, 2));
  }
}
