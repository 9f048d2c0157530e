import { createRequire } from 'node:module';
import { createReadStream } from 'node:fs';
import net from 'node:net';

// TLS is loaded on the first https:// request (about 6 ms of start-up otherwise).
const load = createRequire(import.meta.url);
let tlsModule: typeof import('node:tls') | undefined;

/**
 * HTTP/1.1 over keep-alive connections, written for the http step: one write per request, a
 * response parser that handles Content-Length, chunked and read-until-close bodies, 1xx interim
 * responses, HEAD/204/304, `Connection: close` and HTTP/1.0, and a pool per origin that hands a
 * finished connection to the next request at once. On the benchmark workload it spends about a
 * third of the CPU node:http's client does per request (README: Benchmark).
 */

export interface WireTarget {
  protocol: 'http:' | 'https:';
  hostname: string;
  /** '' = the protocol's default port. */
  port: string;
  insecure: boolean;
}

export interface WireRequest {
  method: string;
  path: string;
  /** Sent as given (plus Host and Content-Length); names are checked, values may not hold CR/LF. */
  headers: Record<string, string>;
  body?: string | Buffer | StreamedBody;
}

/**
 * A body sent in pieces after the head: bytes in memory and files streamed from disk (never read
 * whole into memory); `length` (their total size, known up front) is the Content-Length.
 */
export interface StreamedBody {
  length: number;
  parts: (Buffer | { file: string; size: number })[];
}

const isStreamed = (body: WireRequest['body']): body is StreamedBody =>
  body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body);

/**
 * Response headers: lower-case names; repeated headers joined with ", ", except Set-Cookie,
 * which is always a list (its values may hold commas, so they cannot be joined).
 */
export type ResponseHeaders = Record<string, string | string[]>;

export interface WireResponse {
  status: number;
  headers: ResponseHeaders;
  body: Buffer;
}

/** A failure before a complete response, with a node-style code (ECONNREFUSED, ECONNRESET, E_PROTOCOL...). */
export class WireError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const MAX_HEAD_BYTES = 80 * 1024;
const CRLF = Buffer.from('\r\n');
const CRLFCRLF = Buffer.from('\r\n\r\n');
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const NOT_ASCII = /[^\t\r\n\x20-\x7e]/;
const DROPPED = new Set(['content-length', 'transfer-encoding', 'host']);
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** Serialises a request head and body; throws WireError on a header that would break the message. */
export function serialise(target: WireTarget, req: WireRequest): string | Buffer {
  let head = `${req.method} ${req.path} HTTP/1.1\r\n`;
  let host: string | undefined;
  for (const name in req.headers) {
    const value = req.headers[name];
    if (!TOKEN.test(name)) throw new WireError(`invalid header name "${name}"`, 'E_HEADER');
    if (BAD_VALUE.test(value)) throw new WireError(`invalid character in header "${name}"`, 'E_HEADER');
    const lower = name.toLowerCase();
    if (DROPPED.has(lower)) {
      if (lower === 'host') host = value;
      continue;
    }
    head += `${name}: ${value}\r\n`;
  }
  if (host === undefined) {
    const bracketed = target.hostname.includes(':') ? `[${target.hostname}]` : target.hostname;
    host = target.port ? `${bracketed}:${target.port}` : bracketed;
  }
  head += `Host: ${host}\r\n`;
  const body = req.body;
  if (body === undefined) {
    if (BODY_METHODS.has(req.method)) head += 'Content-Length: 0\r\n';
  } else if (typeof body === 'string') head += `Content-Length: ${Buffer.byteLength(body)}\r\n`;
  else head += `Content-Length: ${body.length}\r\n`;
  head += '\r\n';
  if (isStreamed(body)) return NOT_ASCII.test(head) ? Buffer.from(head, 'latin1') : head;
  if (Buffer.isBuffer(body)) return Buffer.concat([Buffer.from(head, 'latin1'), body]);
  // Header bytes are latin1; a body is UTF-8. The usual all-ASCII head goes out in one string.
  if (!NOT_ASCII.test(head)) return body === undefined ? head : head + body;
  return Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body ?? '', 'utf8')]);
}

/** Writes a streamed body's parts in order, files through a read stream (backpressure kept). */
async function pump(socket: net.Socket, body: StreamedBody): Promise<void> {
  for (const part of body.parts) {
    if (socket.destroyed) return;
    if (Buffer.isBuffer(part)) {
      socket.write(part);
      continue;
    }
    const stream = createReadStream(part.file);
    const stop = () => stream.destroy();
    socket.once('close', stop);
    try {
      await new Promise<void>((resolve, reject) => {
        stream.once('error', reject);
        stream.once('end', resolve);
        stream.once('close', resolve);
        stream.pipe(socket, { end: false });
      });
    } finally {
      socket.off('close', stop);
    }
  }
}

type State = 'head' | 'fixed' | 'close' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'done';

/** An incremental HTTP/1.x response parser for one exchange. */
export class ResponseParser {
  status = 0;
  headers: ResponseHeaders = {};
  /** Whether the connection may carry another request afterwards. */
  keepAlive = true;
  /** Bytes received after the end of the response (a protocol error on a connection we own). */
  extra = false;
  received = 0;
  private state: State = 'head';
  private carry: Buffer | null = null;
  private remaining = 0;
  private parts: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly method: string,
    private readonly maxBody: number,
  ) {}

  get body(): Buffer {
    return this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.size);
  }

  /** Feeds bytes; true once the response is complete. Throws WireError on a malformed response. */
  push(chunk: Buffer): boolean {
    this.received += chunk.length;
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = null;
    let pos = 0;
    while (pos < buf.length) {
      switch (this.state) {
        case 'head': {
          const end = buf.indexOf(CRLFCRLF, pos);
          if (end < 0) {
            if (buf.length - pos > MAX_HEAD_BYTES)
              throw new WireError(`response headers over ${MAX_HEAD_BYTES / 1024} KiB`, 'E_PROTOCOL');
            this.carry = buf.subarray(pos);
            return false;
          }
          this.head(buf.toString('latin1', pos, end));
          pos = end + 4;
          break;
        }
        case 'fixed':
        case 'chunk-data': {
          const n = Math.min(this.remaining, buf.length - pos);
          this.add(buf.subarray(pos, pos + n));
          pos += n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = this.state === 'fixed' ? 'done' : 'chunk-end';
          break;
        }
        case 'close':
          this.add(pos === 0 ? buf : buf.subarray(pos));
          pos = buf.length;
          break;
        case 'chunk-end':
        case 'chunk-size':
        case 'trailers': {
          const eol = buf.indexOf(CRLF, pos);
          if (eol < 0) {
            if (buf.length - pos > MAX_HEAD_BYTES)
              throw new WireError('malformed chunked body', 'E_PROTOCOL');
            this.carry = buf.subarray(pos);
            return false;
          }
          const line = buf.toString('latin1', pos, eol);
          pos = eol + 2;
          if (this.state === 'chunk-end') {
            if (line !== '') throw new WireError('malformed chunked body', 'E_PROTOCOL');
            this.state = 'chunk-size';
          } else if (this.state === 'chunk-size') {
            const hex = line.split(';', 1)[0].trim();
            if (!/^[0-9a-fA-F]{1,12}$/.test(hex))
              throw new WireError(`malformed chunk size "${hex}"`, 'E_PROTOCOL');
            this.remaining = parseInt(hex, 16);
            this.state = this.remaining === 0 ? 'trailers' : 'chunk-data';
          } else if (line === '') this.state = 'done';
          break;
        }
        case 'done':
          this.extra = true;
          return true;
      }
      if (this.state === 'done') {
        if (pos < buf.length) this.extra = true;
        return true;
      }
    }
    return this.state === 'done';
  }

  /** The peer closed the connection: true when that ends the response (read-until-close). */
  end(): boolean {
    if (this.state === 'close') {
      this.state = 'done';
      return true;
    }
    return this.state === 'done';
  }

  private add(part: Buffer): void {
    if (part.length === 0) return;
    this.size += part.length;
    if (this.size > this.maxBody)
      throw new WireError(`response body over ${this.maxBody / 1048576} MiB`, 'E_TOO_LARGE');
    this.parts.push(part);
  }

  private head(text: string): void {
    const firstEnd = text.indexOf('\r\n');
    const first = firstEnd < 0 ? text : text.slice(0, firstEnd);
    const m = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(first);
    if (!m) throw new WireError(`not an HTTP/1.x response: "${first.slice(0, 40)}"`, 'E_PROTOCOL');
    const status = Number(m[2]);
    if (status >= 100 && status < 200 && status !== 101) return; // interim response: the real one follows
    const headers: Record<string, string> = {};
    let cookies: string[] | undefined;
    let last = '';
    let at = firstEnd < 0 ? text.length : firstEnd + 2;
    while (at < text.length) {
      let end = text.indexOf('\r\n', at);
      if (end < 0) end = text.length;
      const lead = text.charCodeAt(at);
      if ((lead === 32 || lead === 9) && last) {
        const folded = ` ${text.slice(at, end).trim()}`; // obsolete line folding
        if (last === 'set-cookie') cookies![cookies!.length - 1] += folded;
        else headers[last] += folded;
      } else {
        const colon = text.indexOf(':', at);
        if (colon <= at || colon > end)
          throw new WireError(
            `malformed response header "${text.slice(at, Math.min(end, at + 40))}"`,
            'E_PROTOCOL',
          );
        const name = text.slice(at, colon).trim().toLowerCase();
        const value = text.slice(colon + 1, end).trim();
        if (name === 'set-cookie') {
          (cookies ??= []).push(value);
          last = name;
        } else if (name !== '__proto__') {
          headers[name] = Object.hasOwn(headers, name) ? `${headers[name]}, ${value}` : value;
          last = name;
        }
      }
      at = end + 2;
    }
    this.status = status;
    this.headers = cookies ? { ...headers, 'set-cookie': cookies } : headers;
    const connection = (headers.connection ?? '').toLowerCase();
    this.keepAlive =
      m[1] === '1' ? !/(?:^|,)\s*close\s*(?:,|$)/.test(connection) : /keep-alive/.test(connection);
    const encoding = headers['transfer-encoding'];
    if (this.method === 'HEAD' || status === 204 || status === 304 || status === 101) {
      this.state = 'done';
      if (status === 101) this.keepAlive = false;
    } else if (encoding !== undefined && /(?:^|,)\s*chunked\s*$/i.test(encoding)) {
      this.state = 'chunk-size';
    } else if (encoding === undefined && headers['content-length'] !== undefined) {
      const raw = headers['content-length'].split(',').map((s) => s.trim());
      if (!raw.every((s) => s === raw[0]) || !/^\d{1,15}$/.test(raw[0]))
        throw new WireError(`invalid Content-Length "${headers['content-length']}"`, 'E_PROTOCOL');
      this.remaining = Number(raw[0]);
      if (this.remaining > this.maxBody)
        throw new WireError(`response body over ${this.maxBody / 1048576} MiB`, 'E_TOO_LARGE');
      this.state = this.remaining === 0 ? 'done' : 'fixed';
    } else {
      this.state = 'close';
      this.keepAlive = false;
    }
  }
}

interface Exchange {
  data(chunk: Buffer): void;
  closed(error?: NodeJS.ErrnoException): void;
}

class Connection {
  exchange: Exchange | null = null;
  /** Responses completed on it: a failure on a reused connection before any byte is retried. */
  served = 0;
  dead = false;
  /** When it last went back to the pool (Date.now()). */
  idleSince = 0;

  constructor(
    readonly socket: net.Socket,
    private readonly pool: Pool,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (this.exchange) this.exchange.data(chunk);
      else this.kill(); // bytes nobody asked for: the connection can not be trusted
    });
    socket.on('error', (error: NodeJS.ErrnoException) => this.gone(error));
    socket.on('end', () => this.gone());
    socket.on('close', () => this.gone());
  }

  private gone(error?: NodeJS.ErrnoException): void {
    if (!this.dead) {
      this.dead = true;
      this.pool.drop(this);
    }
    const exchange = this.exchange;
    this.exchange = null;
    exchange?.closed(error);
    if (!this.socket.destroyed) this.socket.destroy();
  }

  kill(): void {
    this.exchange = null;
    this.gone();
  }
}

type Waiter = (conn: Connection) => void;

/** Connections to one origin: idle ones reused last-in first-out, at most `max` open. */
class Pool {
  private readonly idle: Connection[] = [];
  private readonly waiting: Waiter[] = [];
  private open = 0;
  private closed = false;

  constructor(
    private readonly target: WireTarget,
    private readonly max: number,
  ) {}

  /**
   * Calls `use` with a connection now or when one is free; returns a cancel for a queued wait.
   * Idle connections older than `maxIdleMs` are closed instead of reused.
   */
  acquire(use: Waiter, fresh = false, maxIdleMs = Infinity): () => void {
    if (!fresh) {
      let conn: Connection | undefined;
      while ((conn = this.idle.pop())) {
        if (conn.dead) continue;
        if (maxIdleMs !== Infinity && Date.now() - conn.idleSince > maxIdleMs) {
          conn.kill();
          continue;
        }
        conn.socket.ref();
        use(conn);
        return noop;
      }
    }
    if (this.open < this.max || fresh) {
      this.open++;
      use(new Connection(this.connect(), this));
      return noop;
    }
    this.waiting.push(use);
    return () => {
      const i = this.waiting.indexOf(use);
      if (i >= 0) this.waiting.splice(i, 1);
    };
  }

  release(conn: Connection): void {
    if (conn.dead) return;
    if (this.closed) return conn.kill(); // finished after close(): nothing may stay open
    const next = this.waiting.shift();
    if (next) return next(conn);
    conn.socket.unref();
    conn.idleSince = Date.now();
    this.idle.push(conn);
  }

  drop(conn: Connection): void {
    this.open--;
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
    const next = this.waiting.shift();
    if (next) this.acquire(next, true);
  }

  close(): void {
    this.closed = true;
    this.waiting.length = 0;
    for (const conn of this.idle.splice(0)) conn.kill();
  }

  private connect(): net.Socket {
    const { hostname, insecure } = this.target;
    const https = this.target.protocol === 'https:';
    const port = Number(this.target.port) || (https ? 443 : 80);
    const socket = https
      ? (tlsModule ??= load('node:tls') as typeof import('node:tls')).connect({
          host: hostname,
          port,
          servername: net.isIP(hostname) ? undefined : hostname,
          rejectUnauthorized: !insecure,
          ALPNProtocols: ['http/1.1'],
        })
      : net.connect({ host: hostname, port });
    socket.setKeepAlive(true, 1000);
    return socket;
  }
}

const noop = (): void => {};

/** What a caller can still do with a request in flight. */
export interface InFlight {
  /** Gives up: the connection is closed (its state is unknown), a queued request leaves the queue. */
  cancel(): void;
}

/** A set of pools, one per origin (and TLS verification setting). */
export class WireClient {
  private readonly pools = new Map<string, Pool>();
  private closed = false;

  private readonly maxPerOrigin: number;
  private readonly staleAfterMs: number;

  /**
   * `maxPerOrigin`: connections open to one origin at most (more requests wait in line).
   * `staleAfterMs`: a request that is not idempotent (POST, PATCH) does not reuse a connection
   * idle for longer than this, since it is never resent (servers close idle connections after
   * their keep-alive timeout, 5 s for Node.js; a request racing that close would be lost).
   */
  constructor(options: { maxPerOrigin?: number; staleAfterMs?: number } = {}) {
    this.maxPerOrigin = options.maxPerOrigin ?? 256;
    this.staleAfterMs = options.staleAfterMs ?? 2000;
  }

  /**
   * Sends one request and calls `done` exactly once, with the response or an error, unless
   * cancelled first. `maxBody` bounds the bytes kept.
   */
  send(
    target: WireTarget,
    req: WireRequest,
    maxBody: number,
    done: (error: WireError | null, res?: WireResponse) => void,
  ): InFlight {
    if (this.closed) {
      done(new WireError('the HTTP client is closed', 'E_CLOSED'));
      return { cancel: noop };
    }
    let payload: string | Buffer;
    try {
      payload = serialise(target, req);
    } catch (error) {
      done(error as WireError);
      return { cancel: noop };
    }
    const key = `${target.protocol}//${target.hostname}:${target.port}${target.insecure ? '!' : ''}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new Pool(target, this.maxPerOrigin);
      this.pools.set(key, pool);
    }
    const usedPool = pool;
    const idempotent = IDEMPOTENT.has(req.method);
    let finished = false;
    let current: Connection | null = null;
    let dequeue = noop;
    const finish = (error: WireError | null, res?: WireResponse) => {
      if (finished) return;
      finished = true;
      done(error, res);
    };
    const start = (conn: Connection, retried: boolean) => {
      if (finished) return usedPool.release(conn);
      current = conn;
      const parser = new ResponseParser(req.method, maxBody);
      const reused = conn.served > 0;
      const fail = (error: WireError) => {
        current = null;
        conn.kill();
        finish(error);
      };
      conn.exchange = {
        data(chunk) {
          let complete: boolean;
          try {
            complete = parser.push(chunk);
          } catch (error) {
            return fail(error as WireError);
          }
          if (!complete) return;
          conn.exchange = null;
          conn.served++;
          current = null;
          if (parser.keepAlive && !parser.extra && !conn.dead) usedPool.release(conn);
          else conn.kill();
          finish(null, { status: parser.status, headers: parser.headers, body: parser.body });
        },
        closed(error) {
          current = null;
          if (parser.received > 0 && parser.end()) {
            return finish(null, { status: parser.status, headers: parser.headers, body: parser.body });
          }
          // A kept-alive connection the server closed as we reused it: the request never got an
          // answer, so an idempotent one goes once more on a new connection. A POST is never
          // resent (the server may have acted on it); it only reuses recently active connections.
          if (idempotent && reused && parser.received === 0 && !retried) {
            return void usedPool.acquire((c) => start(c, true), true);
          }
          finish(
            error
              ? new WireError(error.message, error.code ?? 'ERR', { cause: error })
              : new WireError(
                  'socket hang up: the server closed the connection before answering',
                  'ECONNRESET',
                ),
          );
        },
      };
      conn.socket.write(payload);
      if (isStreamed(req.body))
        pump(conn.socket, req.body).catch((error: NodeJS.ErrnoException) =>
          fail(
            new WireError(`could not read the body: ${error.message}`, error.code ?? 'E_BODY', {
              cause: error,
            }),
          ),
        );
    };
    dequeue = usedPool.acquire((c) => start(c, false), false, idempotent ? Infinity : this.staleAfterMs);
    return {
      cancel: () => {
        if (finished) return;
        finished = true;
        dequeue();
        if (current) {
          const conn: Connection = current;
          current = null;
          conn.kill();
        }
      },
    };
  }

  close(): void {
    this.closed = true;
    for (const pool of this.pools.values()) pool.close();
    this.pools.clear();
  }
}
