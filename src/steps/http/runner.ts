import http from 'node:http';
import https from 'node:https';
import axios, { AxiosError, type AxiosInstance, type AxiosRequestConfig } from 'axios';
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
  secure: AxiosInstance;
  insecure: AxiosInstance;
}

/** One keep-alive client per run (per environment), shared by every scenario. */
function clients(ctx: StepContext): Promise<Clients> {
  return ctx.resources.get(
    'http',
    () => {
      const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
      const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 256 });
      const insecureAgent = new https.Agent({ keepAlive: true, maxSockets: 256, rejectUnauthorized: false });
      const base: AxiosRequestConfig = {
        httpAgent,
        validateStatus: () => true,
        responseType: 'text',
        transformResponse: [(data: unknown) => data],
        maxContentLength: 64 * 1024 * 1024,
        proxy: false,
      };
      return {
        secure: axios.create({ ...base, httpsAgent }),
        insecure: axios.create({ ...base, httpsAgent: insecureAgent }),
        agents: [httpAgent, httpsAgent, insecureAgent],
      };
    },
    (c) => {
      for (const a of (c as Clients & { agents: http.Agent[] }).agents) a.destroy();
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
    for (const [k, v] of Object.entries(config.headers ?? {})) headers[k] = String(v);
    const hasHeader = (name: string) => Object.keys(headers).some((k) => k.toLowerCase() === name);
    let data: string | undefined;
    if (config.json !== undefined) {
      data = JSON.stringify(config.json);
      if (!hasHeader('content-type')) headers['Content-Type'] = 'application/json';
    } else if (config.form !== undefined) {
      data = new URLSearchParams(Object.entries(config.form).map(([k, v]) => [k, String(v)])).toString();
      if (!hasHeader('content-type')) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    } else if (config.body !== undefined) data = String(config.body);
    const configured = parseDuration(config.timeout);
    const timeout = Math.max(1, Math.min(configured ?? env.http.timeoutMs, ctx.deadline - Date.now()));
    const exchange = {
      request: { method, url, headers, body: config.json ?? config.form ?? data },
      curl: toCurl(method, url, headers, data),
    };
    const { secure, insecure } = await clients(ctx);
    const client = config.insecure || env.http.insecure ? insecure : secure;
    const started = performance.now();
    let response;
    try {
      response = await client.request<string>({
        method,
        url,
        headers,
        data,
        timeout,
        signal: ctx.signal,
        maxRedirects: (config.followRedirects ?? env.http.followRedirects) ? 5 : 0,
      });
    } catch (error) {
      throw describeError(error as AxiosError, method, url, timeout, ctx);
    }
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    const responseHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(response.headers)) {
      if (v !== undefined && v !== null)
        responseHeaders[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
    }
    const body = parseBody(
      typeof response.data === 'string' ? response.data : String(response.data ?? ''),
      responseHeaders['content-type'] ?? '',
    );
    return {
      values: { status: response.status, headers: responseHeaders, body, duration: durationMs },
      root: body,
      headers: responseHeaders,
      exchange: {
        ...exchange,
        response: { status: response.status, headers: responseHeaders, body, durationMs },
      },
    };
  },
};

function describeError(
  error: AxiosError,
  method: string,
  url: string,
  timeout: number,
  ctx: StepContext,
): StepError {
  const target = `${method} ${url}`;
  const code = error.code ?? (error.cause as NodeJS.ErrnoException | undefined)?.code;
  let message: string;
  if (ctx.signal.aborted)
    message = `${target} was aborted (${ctx.signal.reason instanceof Error ? ctx.signal.reason.message : 'interrupted'})`;
  else if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(error.message)) {
    message = `no response from ${target} within ${formatMs(timeout)} (timeout)`;
  } else if (code === 'ECONNREFUSED') {
    const u = new URL(url);
    message = `connection refused by ${u.host} (${target}): is the service running?`;
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    message = `host not found: ${new URL(url).hostname} (${target})`;
  else if (code === 'ECONNRESET') message = `connection reset by the server during ${target}`;
  else message = `${target} failed: ${error.message}${code ? ` (${code})` : ''}`;
  return new StepError(message, { code: 'E_HTTP', location: ctx.location, cause: error });
}
