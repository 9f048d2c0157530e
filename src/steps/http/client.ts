import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';

/**
 * The HTTP client of the http step: node:http with keep-alive agents shared per run, redirects,
 * timeouts, abort and decompression. Measured on the benchmark workload it spends about 0.75 s
 * of CPU per 6,000 requests, against 1.05 s for undici and 1.95 s for axios (README: Benchmark),
 * and a step's own overhead is what flowrun is judged by.
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

/** A failure before a complete response: `code` is ETIMEDOUT, ECONNREFUSED, ... */
export class ClientError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const MAX_REDIRECTS = 5;
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export class HttpClient {
  private readonly plain = new http.Agent({ keepAlive: true, maxSockets: 256 });
  private readonly secure = new https.Agent({ keepAlive: true, maxSockets: 256 });
  private insecureAgent?: https.Agent;

  async request(req: ClientRequest): Promise<ClientResponse> {
    let { method, url, body } = req;
    let headers = req.headers;
    for (let hop = 0; ; hop++) {
      const res = await this.once(method, url, headers, body, req);
      const location = res.headers.location;
      if (!req.followRedirects || !location || ![301, 302, 303, 307, 308].includes(res.status)) return res;
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
      const target = new URL(url);
      const isHttps = target.protocol === 'https:';
      if (!isHttps && target.protocol !== 'http:') {
        reject(new ClientError(`unsupported protocol ${target.protocol}`, 'E_PROTOCOL'));
        return;
      }
      const agent = isHttps ? (opts.insecure ? this.insecure() : this.secure) : this.plain;
      const sendHeaders: http.OutgoingHttpHeaders = { ...headers };
      if (body !== undefined) sendHeaders['content-length'] = Buffer.byteLength(body);
      let settled = false;
      const fail = (error: ClientError) => {
        if (settled) return;
        settled = true;
        cleanup();
        request.destroy();
        reject(error);
      };
      const request = (isHttps ? https : http).request(target, { method, headers: sendHeaders, agent });
      // Listen for errors at once: a destroyed request emits one even when we already gave up.
      request.on('error', (error: NodeJS.ErrnoException) =>
        fail(new ClientError(error.message, error.code ?? 'ERR', { cause: error })),
      );
      const timer = setTimeout(
        () => fail(new ClientError(`no response within ${opts.timeoutMs}ms`, 'ETIMEDOUT')),
        opts.timeoutMs,
      );
      const onAbort = () => fail(new ClientError('aborted', 'ABORTED', { cause: opts.signal.reason }));
      const cleanup = () => {
        clearTimeout(timer);
        opts.signal.removeEventListener('abort', onAbort);
      };
      if (opts.signal.aborted) {
        onAbort();
        return;
      }
      opts.signal.addEventListener('abort', onAbort, { once: true });
      request.on('response', (res) => {
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers))
          if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
        const encoding = (out['content-encoding'] ?? '').toLowerCase();
        const stream: NodeJS.ReadableStream =
          encoding === 'gzip' || encoding === 'x-gzip'
            ? res.pipe(zlib.createGunzip())
            : encoding === 'deflate'
              ? res.pipe(zlib.createInflate())
              : encoding === 'br'
                ? res.pipe(zlib.createBrotliDecompress())
                : res;
        const chunks: Buffer[] = [];
        let size = 0;
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES)
            fail(new ClientError(`response body over ${MAX_BODY_BYTES / 1048576} MiB`, 'E_TOO_LARGE'));
          else chunks.push(chunk);
        });
        stream.on('error', (error: NodeJS.ErrnoException) =>
          fail(new ClientError(error.message, error.code ?? 'ERR', { cause: error })),
        );
        stream.on('end', () => {
          if (settled) return;
          settled = true;
          cleanup();
          const text =
            chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: out, text, url });
        });
      });
      request.end(body);
    });
  }

  private insecure(): https.Agent {
    return (this.insecureAgent ??= new https.Agent({
      keepAlive: true,
      maxSockets: 256,
      rejectUnauthorized: false,
    }));
  }

  close(): void {
    this.plain.destroy();
    this.secure.destroy();
    this.insecureAgent?.destroy();
  }
}

function withoutHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (!names.includes(k.toLowerCase())) out[k] = v;
  return out;
}
