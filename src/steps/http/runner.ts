import { Agent, interceptors, request, type Dispatcher } from 'undici';
import { StepError } from '../../errors.js';
import type { StepContext, StepOutput, StepRunner } from '../types.js';
import { parseDuration, formatMs } from '../../util/duration.js';
import { toCurl } from './curl.js';

export interface HttpConfig {
  method?: string;
  url: string;
  query?: Record<string, unknown>;
  headers?: Record<string, string | number | boolean>;
  json?: unknown;
  body?: string;
  form?: Record<string, string | number | boolean>;
  timeout?: string | number;
  followRedirects?: boolean;
  insecure?: boolean;
}

interface Clients {
  direct: Dispatcher;
  redirecting: Dispatcher;
  insecure: Dispatcher;
  insecureRedirecting: Dispatcher;
}

const MAX_REDIRECTS = 5;

/**
 * One keep-alive connection pool per run (per environment), shared by every scenario. undici
 * rather than axios: on the benchmark workload axios spent about twice the CPU per request
 * (see README, Benchmark).
 */
function clients(ctx: StepContext): Promise<Clients> {
  return ctx.resources.get(
    'http',
    () => {
      const secure = new Agent({ keepAliveTimeout: 10_000, connections: 256 });
      const insecure = new Agent({
        keepAliveTimeout: 10_000,
        connections: 256,
        connect: { rejectUnauthorized: false },
      });
      const redirect = interceptors.redirect({ maxRedirections: MAX_REDIRECTS });
      return {
        direct: secure,
        redirecting: secure.compose(redirect),
        insecure,
        insecureRedirecting: insecure.compose(redirect),
      };
    },
    async (c) => {
      await Promise.allSettled([(c.direct as Agent).close(), (c.insecure as Agent).close()]);
    },
  );
}

export function resolveUrl(url: string, baseUrl: string | undefined): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  if (!baseUrl) throw new StepError(`relative URL "${url}" but the environment has no baseUrl`);
  return baseUrl.replace(/\/+$/, '') + '/' + url.replace(/^\/+/, '');
}

function appendQuery(url: string, query: Record<string, unknown> | undefined): string {
  if (!query || Object.keys(query).length === 0) return url;
  const u = new URL(url);
  for (const [k, v] of Object.entries(query)) {
    for (const item of Array.isArray(v) ? v : [v])
      u.searchParams.append(k, typeof item === 'object' ? JSON.stringify(item) : String(item));
  }
  return u.toString();
}

const parseBody = (text: string, contentType: string): unknown => {
  if (text === '') return text;
  const looksJson = /json/i.test(contentType) || /^\s*[[{]/.test(text);
  if (!looksJson) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

export const httpRunner: StepRunner<HttpConfig> = {
  kind: 'http',
  expect: { status: 'oneOf', headers: 'headers', body: 'jsonpath', schema: 'schema', duration: 'value' },
  async run(config, ctx): Promise<StepOutput> {
    const env = ctx.environment;
    const method = (config.method ?? 'GET').toUpperCase();
    const url = appendQuery(resolveUrl(String(config.url), env.baseUrl), config.query);
    const headers: Record<string, string> = { ...env.http.headers };
    for (const k in config.headers) headers[k] = String(config.headers[k]);
    const hasHeader = (name: string) => Object.keys(headers).some((k) => k.toLowerCase() === name);
    let data: string | undefined;
    if (config.json !== undefined) {
      data = JSON.stringify(config.json);
      if (!hasHeader('content-type')) headers['content-type'] = 'application/json';
    } else if (config.form !== undefined) {
      data = new URLSearchParams(Object.entries(config.form).map(([k, v]) => [k, String(v)])).toString();
      if (!hasHeader('content-type')) headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (config.body !== undefined) data = String(config.body);
    const configured = parseDuration(config.timeout);
    const timeout = Math.max(1, Math.min(configured ?? env.http.timeoutMs, ctx.deadline - Date.now()));
    const c = await clients(ctx);
    const insecure = config.insecure ?? env.http.insecure;
    const follow = config.followRedirects ?? env.http.followRedirects;
    const dispatcher = insecure
      ? follow
        ? c.insecureRedirecting
        : c.insecure
      : follow
        ? c.redirecting
        : c.direct;
    const started = performance.now();
    let status: number;
    let text: string;
    const responseHeaders: Record<string, string> = {};
    try {
      const res = await request(url, {
        method: method as Dispatcher.HttpMethod,
        headers,
        body: data,
        dispatcher,
        signal: ctx.signal,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      status = res.statusCode;
      for (const k in res.headers) {
        const v = res.headers[k];
        if (v !== undefined) responseHeaders[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
      }
      text = await res.body.text();
    } catch (error) {
      throw describeError(error as Error & { code?: string }, method, url, timeout, ctx);
    }
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    const body = parseBody(text, responseHeaders['content-type'] ?? '');
    return {
      values: { status, headers: responseHeaders, body, duration: durationMs },
      root: body,
      headers: responseHeaders,
      exchange: {
        request: { method, url, headers, body: config.json ?? config.form ?? data },
        response: { status, headers: responseHeaders, body, durationMs },
        curl: toCurl(method, url, headers, data),
      },
    };
  },
};

function describeError(
  error: Error & { code?: string; cause?: unknown },
  method: string,
  url: string,
  timeout: number,
  ctx: StepContext,
): StepError {
  const target = `${method} ${url}`;
  const code =
    error.code ??
    (error.cause as NodeJS.ErrnoException | undefined)?.code ??
    (error as NodeJS.ErrnoException).code;
  let message: string;
  if (ctx.signal.aborted)
    message = `${target} was aborted (${ctx.signal.reason instanceof Error ? ctx.signal.reason.message : 'interrupted'})`;
  else if (
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'ETIMEDOUT'
  ) {
    message = `no response from ${target} within ${formatMs(timeout)} (timeout)`;
  } else if (code === 'ECONNREFUSED') {
    message = `connection refused by ${new URL(url).host} (${target}): is the service running?`;
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    message = `host not found: ${new URL(url).hostname} (${target})`;
  else if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET')
    message = `connection reset by the server during ${target}`;
  else if (/redirect/i.test(error.message)) message = `${target}: more than ${MAX_REDIRECTS} redirects`;
  else message = `${target} failed: ${error.message}${code ? ` (${code})` : ''}`;
  return new StepError(message, { code: 'E_HTTP', location: ctx.location, cause: error });
}
