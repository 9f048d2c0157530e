import path from 'node:path';
import { StepError } from '../../errors.js';
import type { StepContext, StepOutput, StepRunner } from '../types.js';
import { parseDuration, formatMs } from '../../util/time.js';
import { ClientError, HttpClient } from './client.js';
import { Jar, responseCookies } from './cookies.js';
import { toCurl } from './curl.js';
import { fileBody, multipartBody, type BuiltBody, type FileSpec, type MultipartValue } from './body.js';
import { binaryBody, isTextual } from './binary.js';

export interface HttpConfig {
  method?: string;
  url: string;
  query?: Record<string, unknown>;
  headers?: Record<string, string | number | boolean>;
  json?: unknown;
  /** A raw body, or `{ file }` to send a file's bytes (streamed). */
  body?: string | FileSpec;
  form?: Record<string, string | number | boolean>;
  /** multipart/form-data fields; `{ file, contentType?, filename? }` values are file parts. */
  multipart?: Record<string, MultipartValue | MultipartValue[]>;
  timeout?: string | number;
  followRedirects?: boolean;
  insecure?: boolean;
  /** `false`: no cookie jar for this request (the scenario's jar is neither read nor filled). */
  cookies?: boolean;
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

/** The environment's headers plus User-Agent unless they set one (built once per environment). */
const envHeaders = new WeakMap<StepContext['environment'], Record<string, string>>();
function baseHeaders(env: StepContext['environment']): Record<string, string> {
  let base = envHeaders.get(env);
  if (!base) {
    base = { ...env.http.headers };
    if (!Object.keys(base).some((k) => k.toLowerCase() === 'user-agent'))
      base = { 'User-Agent': env.http.userAgent, ...base };
    envHeaders.set(env, base);
  }
  return base;
}

export const httpRunner: StepRunner<HttpConfig> = {
  kind: 'http',
  expect: {
    status: 'oneOf',
    headers: 'headers',
    body: 'jsonpath',
    schema: 'schema',
    duration: 'value',
    cookies: 'secrets',
    regex: 'regex',
  },
  async run(config, ctx): Promise<StepOutput> {
    const env = ctx.environment;
    const method = (config.method ?? 'GET').toUpperCase();
    const url = appendQuery(resolveUrl(String(config.url), env.baseUrl), config.query);
    const headers: Record<string, string> = { ...baseHeaders(env) };
    for (const k in config.headers) {
      if (k.length === 10 && k !== 'User-Agent' && k.toLowerCase() === 'user-agent')
        delete headers['User-Agent'];
      headers[k] = String(config.headers[k]);
    }
    const jar =
      (config.cookies ?? env.http.cookies) ? ((ctx.instance.cookies as Jar) ??= new Jar()) : undefined;
    const hasHeader = (name: string) => Object.keys(headers).some((k) => k.toLowerCase() === name);
    let data: string | undefined;
    let built: BuiltBody | undefined;
    if (config.multipart !== undefined) {
      built = await multipartBody(config.multipart, baseDirOf(ctx));
    } else if (config.body !== null && typeof config.body === 'object') {
      built = await fileBody(config.body, baseDirOf(ctx));
    }
    if (built) {
      if (!hasHeader('content-type') || config.multipart !== undefined) {
        for (const k in headers) if (k.toLowerCase() === 'content-type') delete headers[k];
        headers['content-type'] = built.contentType;
      }
    } else if (config.json !== undefined) {
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
    let bytes: Buffer;
    let responseHeaders: Record<string, string | string[]>;
    let finalUrl: string;
    let sentCookie: string | undefined;
    try {
      const res = await http.request({
        method,
        url,
        headers,
        body: built ? built.body : data,
        timeoutMs: timeout,
        signal: ctx.signal,
        followRedirects: config.followRedirects ?? env.http.followRedirects,
        insecure: config.insecure ?? env.http.insecure,
        cookies: jar,
      });
      status = res.status;
      responseHeaders = res.headers;
      bytes = res.bytes;
      finalUrl = res.url;
      sentCookie = res.cookie;
    } catch (error) {
      throw describeError(error as ClientError, method, url, timeout, ctx);
    }
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    const contentType = String(responseHeaders['content-type'] ?? '');
    // A binary response (an image, a PDF, bytes that are not UTF-8) stays bytes: `length` and
    // `sha256` check it, reports show its size and digest.
    const textual = isTextual(contentType, bytes);
    const text = textual ? bytes.toString('utf8') : bytes.toString('latin1');
    const body = textual ? parseBody(text, contentType) : bytes;
    const cookies = () =>
      jar ? jar.values(finalUrl) : responseCookies(responseHeaders['set-cookie'] as string[] | undefined);
    const sentHeaders = sentCookie === undefined ? headers : withCookieHeader(headers, sentCookie);
    return {
      values: {
        status,
        headers: responseHeaders,
        body,
        duration: durationMs,
        // Read only when an expectation names it.
        get cookies() {
          return cookies();
        },
      },
      root: body,
      headers: responseHeaders,
      cookies,
      text,
      exchange: {
        request: {
          method,
          url,
          headers: sentHeaders,
          body: built ? built.summary : (config.json ?? config.form ?? data),
        },
        response: {
          status,
          headers: responseHeaders,
          body: textual ? body : binaryBody(bytes, contentType),
          durationMs,
        },
        // Built when a reporter reads it (most exchanges of a big passing run are dropped unread).
        get curl() {
          return toCurl(method, url, sentHeaders, data, built?.curl);
        },
      },
    };
  },
};

/** Files in a step are relative to the file that wrote the step. */
const baseDirOf = (ctx: StepContext): string => path.dirname(path.resolve(ctx.location.file));

/** The request headers as sent, with the Cookie header the jar completed. */
function withCookieHeader(headers: Record<string, string>, cookie: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in headers) if (k.toLowerCase() !== 'cookie') out[k] = headers[k];
  out.Cookie = cookie;
  return out;
}

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
