import { createRequire } from 'node:module';
import { onAbort } from '../../util/abort.js';
import { WireClient, WireError as ClientError, type WireResponse } from './wire.js';

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
  body?: string;
  timeoutMs: number;
  signal: AbortSignal;
  followRedirects: boolean;
  insecure: boolean;
}

export interface ClientResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  text: string;
  /** The URL that answered (after redirects). */
  url: string;
}

/** A failure before a complete response: `code` is ETIMEDOUT, ECONNREFUSED, ... (wire.ts's error). */
export { ClientError };

const MAX_REDIRECTS = 5;
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export class HttpClient {
  private readonly wire = new WireClient({ maxPerOrigin: 256 });

  async request(req: ClientRequest): Promise<ClientResponse> {
    let { method, url, body } = req;
    let headers = req.headers;
    for (let hop = 0; ; hop++) {
      const res = await this.once(method, url, headers, body, req);
      const location = res.headers.location;
      if (!req.followRedirects || !location || !REDIRECTS.has(res.status)) return res;
      if (hop === MAX_REDIRECTS) throw new ClientError(`more than ${MAX_REDIRECTS} redirects`, 'E_REDIRECTS');
      const next = new URL(location, url);
      // 303, and 301/302 after a POST, continue as GET without a body (what browsers and curl -L do).
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
        headers = withoutHeaders(headers, ['content-type', 'content-length']);
      }
      // Credentials never follow a redirect to another host.
      if (next.host !== new URL(url).host)
        headers = withoutHeaders(headers, ['authorization', 'cookie', 'proxy-authorization']);
      url = next.toString();
    }
  }

  private once(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | undefined,
    opts: ClientRequest,
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
        opts.timeoutMs,
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
            resolve({ status: res!.status, headers: res!.headers, text: decode(res!), url });
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

/** The body as text, decompressed per Content-Encoding (bounded like the raw body). */
function decode(res: WireResponse): string {
  const encoding = (res.headers['content-encoding'] ?? '').toLowerCase().trim();
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
  return body.toString('utf8');
}

function withoutHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (!names.includes(k.toLowerCase())) out[k] = v;
  return out;
}
