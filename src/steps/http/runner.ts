import { StepError } from '../../errors.js';
import type { StepContext, StepOutput, StepRunner } from '../types.js';
import { parseDuration, formatMs } from '../../util/time.js';
import { ClientError, HttpClient } from './client.js';
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

/** One keep-alive client per run (per environment), shared by every scenario. */
const clients = new WeakMap<StepContext['resources'], HttpClient>();
const openClient = async (ctx: StepContext): Promise<HttpClient> => {
  const resources = ctx.resources;
  const made = await resources.get(
    'http',
    () => new HttpClient(),
    (c) => {
      clients.delete(resources);
      c.close();
    },
  );
  clients.set(resources, made);
  return made;
};

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
    const http = clients.get(ctx.resources) ?? (await openClient(ctx));
    const started = performance.now();
    let status: number;
    let text: string;
    let responseHeaders: Record<string, string>;
    try {
      const res = await http.request({
        method,
        url,
        headers,
        body: data,
        timeoutMs: timeout,
        signal: ctx.signal,
        followRedirects: config.followRedirects ?? env.http.followRedirects,
        insecure: config.insecure ?? env.http.insecure,
      });
      status = res.status;
      responseHeaders = res.headers;
      text = res.text;
    } catch (error) {
      throw describeError(error as ClientError, method, url, timeout, ctx);
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
        // Built when a reporter reads it (most exchanges of a big passing run are dropped unread).
        get curl() {
          return toCurl(method, url, headers, data);
        },
      },
    };
  },
};

function describeError(
  error: ClientError,
  method: string,
  url: string,
  timeout: number,
  ctx: StepContext,
): StepError {
  const target = `${method} ${url}`;
  const code = error.code;
  let message: string;
  if (ctx.signal.aborted) {
    message = `${target} was aborted (${ctx.signal.reason instanceof Error ? ctx.signal.reason.message : 'interrupted'})`;
  } else if (code === 'ETIMEDOUT')
    message = `no response from ${target} within ${formatMs(timeout)} (timeout)`;
  else if (code === 'ECONNREFUSED')
    message = `connection refused by ${new URL(url).host} (${target}): is the service running?`;
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    message = `host not found: ${new URL(url).hostname} (${target})`;
  else if (code === 'ECONNRESET' || code === 'EPIPE')
    message = `connection reset by the server during ${target}`;
  else if (code === 'E_REDIRECTS') message = `${target}: ${error.message}`;
  else message = `${target} failed: ${error.message}${code && code !== 'ERR' ? ` (${code})` : ''}`;
  return new StepError(message, { code: 'E_HTTP', location: ctx.location, cause: error });
}
