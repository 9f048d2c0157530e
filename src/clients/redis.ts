import { Redis } from 'ioredis';
import { StepError } from '../errors.js';
import type { Location } from '../types.js';
import { describeSocketError, hostPort, maskUrl } from './connection-messages.js';
import { within } from '../util/abort.js';

/** Bound on opening a connection (TCP connect plus the server's first answer). */
export const CONNECT_TIMEOUT_MS = 5000;

/**
 * Options that make a dead or wrong server fail fast with its own error, instead of ioredis'
 * defaults (reconnect forever, queue commands while offline, retry each command 20 times).
 */
export function failFastOptions(connectTimeoutMs = CONNECT_TIMEOUT_MS) {
  return {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    enableReadyCheck: true,
    // A step is one command: nothing to pipeline, and errors stay tied to their step.
    enableAutoPipelining: false,
  } as const;
}

function problem(error: unknown, timeoutMs: number): string {
  const socket = describeSocketError(error);
  if (socket === 'connection timed out') return `no answer within ${timeoutMs / 1000}s (connect timeout)`;
  if (socket) return socket;
  const message = (error as Error)?.message ?? String(error);
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(message)) {
    return `authentication failed: ${message}`;
  }
  if (/Unknown RESP type|Protocol error/i.test(message))
    return 'the server there does not speak the Redis protocol';
  return message;
}

/** A failure to reach a Redis server: host:port, the URL with its password masked. */
export function redisConnectionError(
  name: string,
  url: string,
  error: unknown,
  location?: Location,
  timeoutMs = CONNECT_TIMEOUT_MS,
): StepError {
  const what = problem(error, timeoutMs);
  const hint = /refused/.test(what) ? '; is redis-server running and listening on that port?' : '';
  return new StepError(
    `cannot connect to Redis "${name}" at ${hostPort(url, 6379)}: ${what} (${maskUrl(url)})${hint}`,
    {
      code: 'E_REDIS_CONNECT',
      location,
      cause: error,
    },
  );
}

/**
 * Opens a connected client or throws the reason it could not connect. ioredis reports a failed
 * connect as "Connection is closed"; the socket error that caused it arrives as an 'error' event,
 * so the last one is kept for the message.
 */
export async function openRedis(
  name: string,
  url: string,
  options: { location?: Location; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<Redis> {
  const timeoutMs = options.timeoutMs ?? CONNECT_TIMEOUT_MS;
  const client = new Redis(url, failFastOptions(timeoutMs));
  let lastError: unknown;
  client.on('error', (error) => {
    lastError = error;
  });
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    // connectTimeout covers the TCP connect only; a server that accepts and never answers
    // would hang the ready check, hence the overall bound.
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' });
        reject(error);
      }, timeoutMs + 500);
      onAbort = () => reject(new Error('interrupted'));
      if (options.signal?.aborted) onAbort();
      else options.signal?.addEventListener('abort', onAbort, { once: true });
    });
    await Promise.race([client.connect(), bound]);
    return client;
  } catch (error) {
    client.disconnect();
    throw redisConnectionError(name, url, lastError ?? error, options.location, timeoutMs);
  } finally {
    if (timer) clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * One named instance's client for the run. With reconnects off, a client whose connection
 * dropped stays closed; the next step (or poll attempt) opens a new one instead of failing on
 * a dead client forever.
 */
export class RedisHandle {
  private client?: Redis;
  private opening?: Promise<Redis>;

  constructor(
    readonly name: string,
    readonly url: string,
  ) {}

  async get(options: { location?: Location; signal?: AbortSignal }): Promise<Redis> {
    // A dropped connection shows as an unwritable stream before ioredis updates its status.
    if (this.client && this.client.status === 'ready' && this.client.stream?.writable) return this.client;
    if (this.opening) return this.opening;
    this.client?.disconnect();
    this.client = undefined;
    this.opening = openRedis(this.name, this.url, options).finally(() => (this.opening = undefined));
    this.client = await this.opening;
    return this.client;
  }

  /** Forgets the current client (after it failed) so the next `get` connects anew. */
  reset(): void {
    this.client?.disconnect();
    this.client = undefined;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (client.status === 'ready') {
      await within(
        client.quit().catch(() => undefined),
        1000,
      );
    }
    client.disconnect();
  }
}
