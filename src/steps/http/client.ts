import { createRequire } from 'node:module';
import { onAbort } from '../../util/abort.js';
import {
  WireClient,
  WireError as ClientError,
  type ResponseHeaders,
  type StreamedBody,
  type WireResponse,
} from './wire.js';

/**
 * The HTTP client of the http step: HTTP/1.1 keep-alive connections shared per run (wire.ts),
 * redirects, timeouts, abort and decompression. On the benchmark workload node:http's client
 * spent about 0.75 s of CPU per 6,000 requests, undici 1.05 s and axios 1.95 s; wire.ts spends
 * about a third of node:http's (README: Benchmark), and a step's own overhead is what flowrun is
 * judged by.
 */

export interface ClientRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer | StreamedBody;
  timeoutMs: number;
  signal: AbortSignal;
  followRedirects: boolean;
  insecure: boolean;
  /** A cookie jar: its cookies go out with every hop, every hop's Set-Cookie goes into it. */
  cookies?: CookieStore;
}

/** What the client needs of a cookie jar (cookies.ts implements it over tough-cookie). */
export interface CookieStore {
  /** The Cookie header value the jar holds for `url` ('' when none). */
  header(url: string): string;
  /** Stores the Set-Cookie values of a response from `url`. */
  store(url: string, setCookie: string[]): void;
}

export interface ClientResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ", Set-Cookie a list. */
  headers: ResponseHeaders;
  /** The body, decompressed. */
  bytes: Buffer;
  /** The body as UTF-8 text (decoded when first read). */
  readonly text: string;
  /** The URL that answered (after redirects). */
  url: string;
  /** The Cookie header sent with the first request, when there was one. */
  cookie?: string;
}

/** A failure before a complete response: `code` is ETIMEDOUT, ECONNREFUSED, ... (wire.ts's error). */
export { ClientError };

const MAX_REDIRECTS = 5;
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export class HttpClient {
  private readonly wire = new WireClient({ maxPerOrigin: 256 });

  /**
   * Sends a request and follows redirects. `timeoutMs` bounds the whole chain. Credentials
   * (Authorization, Cookie, Proxy-Authorization) do not follow a redirect to another host or
   * from https to http; a custom Host header does not follow a redirect to another host.
   */
  async request(req: ClientRequest): Promise<ClientResponse> {
    let { method, url, body } = req;
    let headers = req.headers;
    const deadline = Date.now() + req.timeoutMs;
    const jar = req.cookies;
    let firstCookie: string | undefined;
    for (let hop = 0; ; hop++) {
      let sent = headers;
      if (jar) {
        const fromJar = jar.header(url);
        if (fromJar) {
          sent = withCookie(headers, fromJar);
          if (hop === 0) firstCookie = headerValue(sent, 'cookie');
        }
      }
      const res = await this.once(method, url, sent, body, req, deadline);
      if (jar) {
        const setCookie = res.headers['set-cookie'];
        if (setCookie) jar.store(url, setCookie as string[]);
      }
      const location = res.headers.location;
      if (!req.followRedirects || typeof location !== 'string' || !REDIRECTS.has(res.status)) {
        if (firstCookie !== undefined) res.cookie = firstCookie;
        return res;
      }
      if (hop === MAX_REDIRECTS) throw new ClientError(`more than ${MAX_REDIRECTS} redirects`, 'E_REDIRECTS');
      const from = new URL(url);
      const next = new URL(location, url);
      // 303, and 301/302 after a POST, continue as GET without a body (what browsers and curl -L do).
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
        headers = withoutHeaders(headers, ['content-type', 'content-length']);
      }
      const otherHost = next.host !== from.host;
      if (otherHost || (from.protocol === 'https:' && next.protocol === 'http:'))
        headers = withoutHeaders(headers, CREDENTIALS);
      if (otherHost) headers = withoutHeaders(headers, ['host']);
      url = next.toString();
    }
  }

  private once(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: ClientRequest['body'],
    opts: ClientRequest,
    deadline: number,
  ): Promise<ClientResponse> {
    return new Promise((resolve, reject) => {
      if (opts.signal.aborted) {
        reject(new ClientError('aborted', 'ABORTED', { cause: opts.signal.reason }));
        return;
      }
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch (error) {
        reject(new ClientError(`invalid URL "${url}"`, 'E_URL', { cause: error }));
        return;
      }
      const protocol = parsed.protocol;
      if (protocol !== 'http:' && protocol !== 'https:') {
        reject(new ClientError(`unsupported protocol ${protocol}`, 'E_PROTOCOL'));
        return;
      }
      let sendHeaders = headers;
      if (parsed.username || parsed.password) {
        // Credentials in the URL become Basic authentication, as curl and node:http do.
        const user = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
        sendHeaders = { authorization: `Basic ${Buffer.from(user).toString('base64')}`, ...headers };
      }
      const hostname = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
      let settled = false;
      // Neither fires synchronously, so `inFlight` exists by the time `fail` runs.
      const timer = setTimeout(
        () => fail(new ClientError(`no response within ${opts.timeoutMs}ms`, 'ETIMEDOUT')),
        Math.max(0, deadline - Date.now()),
      );
      const forget = onAbort(opts.signal, () =>
        fail(new ClientError('aborted', 'ABORTED', { cause: opts.signal.reason })),
      );
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        forget();
        return true;
      };
      const inFlight = this.wire.send(
        { protocol, hostname, port: parsed.port, insecure: opts.insecure },
        { method, path: `${parsed.pathname || '/'}${parsed.search}`, headers: sendHeaders, body },
        MAX_BODY_BYTES,
        (error, res) => {
          if (!settle()) return;
          if (error) return reject(error);
          try {
            const bytes = decode(res!);
            let text: string | undefined;
            resolve({
              status: res!.status,
              headers: res!.headers,
              bytes,
              get text() {
                return (text ??= bytes.toString('utf8'));
              },
              url,
            });
          } catch (e) {
            reject(e);
          }
        },
      );
      const fail = (error: ClientError) => {
        if (!settle()) return;
        inFlight.cancel();
        reject(error);
      };
    });
  }

  close(): void {
    this.wire.close();
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

// zlib is loaded for the first compressed response only.
const load = createRequire(import.meta.url);
let zlibModule: typeof import('node:zlib') | undefined;

/** The body decompressed per Content-Encoding (bounded like the raw body). */
function decode(res: WireResponse): Buffer {
  const encoding = String(res.headers['content-encoding'] ?? '')
    .toLowerCase()
    .trim();
  let body = res.body;
  if (encoding && encoding !== 'identity' && body.length > 0) {
    const zlib = (zlibModule ??= load('node:zlib') as typeof import('node:zlib'));
    const limit = { maxOutputLength: MAX_BODY_BYTES };
    try {
      if (encoding === 'gzip' || encoding === 'x-gzip') body = zlib.gunzipSync(body, limit);
      else if (encoding === 'deflate') body = zlib.inflateSync(body, limit);
      else if (encoding === 'br') body = zlib.brotliDecompressSync(body, limit);
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      if (e.code === 'ERR_BUFFER_TOO_LARGE')
        throw new ClientError(`response body over ${MAX_BODY_BYTES / 1048576} MiB`, 'E_TOO_LARGE');
      throw new ClientError(`could not decode the ${encoding} body: ${e.message}`, e.code ?? 'E_DECODE');
    }
  }
  return body;
}

const CREDENTIALS = ['authorization', 'cookie', 'proxy-authorization'];

const headerValue = (headers: Record<string, string>, name: string): string | undefined => {
  for (const k in headers) if (k.toLowerCase() === name) return headers[k];
  return undefined;
};

function withoutHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (!names.includes(k.toLowerCase())) out[k] = v;
  return out;
}

/** The headers with the jar's cookies added to a Cookie header the request already has. */
function withCookie(headers: Record<string, string>, fromJar: string): Record<string, string> {
  const out: Record<string, string> = {};
  let merged = false;
  for (const [k, v] of Object.entries(headers)) {
    if (!merged && k.toLowerCase() === 'cookie') {
      // Cookies written in the step win over the jar's of the same name.
      const given = new Set(v.split(';').map((c) => c.split('=', 1)[0].trim()));
      const extra = fromJar
        .split('; ')
        .filter((c) => !given.has(c.split('=', 1)[0]))
        .join('; ');
      out[k] = extra ? `${v}; ${extra}` : v;
      merged = true;
    } else out[k] = v;
  }
  if (!merged) out.cookie = fromJar;
  return out;
}
