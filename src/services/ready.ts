import { connect } from 'node:net';
import pg from 'pg';
import type { ReadyCheck } from '../model/environment.js';
import { describeSocketError, maskUrl } from '../clients/connection-messages.js';
import { openRedis } from '../clients/redis.js';
import { within } from '../util/abort.js';
import { sleep } from '../util/time.js';

/** One check that did not pass before its deadline. */
export interface ReadyFailure {
  check: ReadyCheck;
  /** What was checked, e.g. `http http://127.0.0.1:8000/health` (passwords masked). */
  target: string;
  /** The last attempt's error. */
  error: string;
  attempts: number;
}

export interface ReadyResult {
  ok: boolean;
  failures: ReadyFailure[];
}

/** Longest single attempt: a hung connect must not eat the whole budget in one go. */
const MAX_ATTEMPT_MS = 5000;

export function checkKind(check: ReadyCheck): 'http' | 'tcp' | 'sql' | 'redis' {
  if (check.http !== undefined) return 'http';
  if (check.tcp !== undefined) return 'tcp';
  if (check.sql !== undefined) return 'sql';
  if (check.redis !== undefined) return 'redis';
  throw new Error('a readiness check needs one of http, tcp, sql, redis');
}

/** `http http://...`, `tcp host:port`, `sql postgres://user:***@...`, `redis redis://...`. */
export function describeCheck(check: ReadyCheck): string {
  const kind = checkKind(check);
  const value = String(check[kind]);
  return `${kind} ${kind === 'tcp' ? value : maskUrl(value)}`;
}

function reason(error: unknown): string {
  const socket = describeSocketError(error);
  if (socket) return socket;
  const e = error as Error & { cause?: unknown };
  if (e?.cause && e.cause !== error) {
    const inner = describeSocketError(e.cause);
    if (inner) return inner;
    if (e.message === 'fetch failed' && (e.cause as Error)?.message) return (e.cause as Error).message;
  }
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'no answer in time';
  return e?.message ?? String(error);
}

/** `host:port`, `tcp://host:port` or `[::1]:port` -> parts. */
export function parseHostPort(value: string): { host: string; port: number } {
  const text = value.replace(/^tcp:\/\//, '');
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text);
  if (!match) throw new Error(`"${value}" is not host:port`);
  return { host: match[1] ?? match[2], port: Number(match[3]) };
}

async function httpAttempt(check: ReadyCheck, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
  // redirect: manual so a 302 to a login page counts as "up" without following it.
  const response = await fetch(String(check.http), { redirect: 'manual', signal: AbortSignal.any(signals) });
  const body = await response.text().catch(() => '');
  const ok =
    check.status !== undefined
      ? response.status === check.status
      : response.status >= 200 && response.status < 400;
  if (!ok) {
    const expected = check.status !== undefined ? `expected ${check.status}` : 'expected 2xx/3xx';
    const excerpt = body.replace(/\s+/g, ' ').trim().slice(0, 120);
    throw new Error(`HTTP ${response.status} (${expected})${excerpt ? `: ${excerpt}` : ''}`);
  }
}

function tcpAttempt(check: ReadyCheck, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const { host, port } = parseHostPort(String(check.tcp));
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const finish = (error?: Error) => {
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    const onAbort = () => finish(new Error('interrupted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.setTimeout(timeoutMs, () => finish(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    socket.once('error', finish);
    socket.once('connect', () => finish());
  });
}

async function sqlAttempt(check: ReadyCheck, timeoutMs: number): Promise<void> {
  const client = new pg.Client({
    connectionString: String(check.sql),
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisAttempt(check: ReadyCheck, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  let client;
  try {
    client = await openRedis('waitFor', String(check.redis), { timeoutMs, signal });
  } catch (error) {
    throw (error as { cause?: unknown }).cause ?? error;
  }
  try {
    const reply = await within(client.ping(), timeoutMs);
    if (reply === 'timeout') throw new Error('PING got no answer in time');
    if (reply !== 'PONG') throw new Error(`PING answered ${JSON.stringify(reply)}`);
  } finally {
    client.disconnect();
  }
}

/** One attempt of one check; throws the reason it is not ready. */
export async function attemptOnce(check: ReadyCheck, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  switch (checkKind(check)) {
    case 'http':
      return httpAttempt(check, timeoutMs, signal);
    case 'tcp':
      return tcpAttempt(check, timeoutMs, signal);
    case 'sql':
      return sqlAttempt(check, timeoutMs);
    case 'redis':
      return redisAttempt(check, timeoutMs, signal);
  }
}

/**
 * Repeats one check until it passes or its wall-clock `timeoutMs` runs out. `stop` (optional)
 * ends the wait early with its own message, e.g. when the service being waited for has exited.
 */
export async function waitForCheck(
  check: ReadyCheck,
  options: { signal?: AbortSignal; stop?: () => string | undefined } = {},
): Promise<ReadyFailure | undefined> {
  const deadline = Date.now() + check.timeoutMs;
  const interval = Math.max(10, check.intervalMs || 500);
  let attempts = 0;
  let error: string;
  for (;;) {
    if (options.signal?.aborted)
      return { check, target: describeCheck(check), error: 'interrupted', attempts };
    const stopped = options.stop?.();
    if (stopped) return { check, target: describeCheck(check), error: stopped, attempts };
    attempts++;
    const budget = Math.max(250, Math.min(deadline - Date.now(), MAX_ATTEMPT_MS));
    try {
      await attemptOnce(check, budget, options.signal);
      return undefined;
    } catch (e) {
      error = reason(e);
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(interval, left), options.signal);
  }
  const stopped = options.stop?.();
  return { check, target: describeCheck(check), error: stopped ?? error, attempts };
}

/**
 * The readiness gate: every check runs concurrently, each bounded by its own `timeout`. The
 * result lists what was not ready with the last error of each (the caller exits with 2).
 */
export async function waitForReady(
  checks: ReadyCheck[],
  options: { signal?: AbortSignal } = {},
): Promise<ReadyResult> {
  const results = await Promise.all(checks.map((check) => waitForCheck(check, options)));
  const failures = results.filter((r): r is ReadyFailure => r !== undefined);
  return { ok: failures.length === 0, failures };
}

/** Lines for a report or error message: `not ready: http http://... after 30s (12 attempts): HTTP 503`. */
export function formatReadyFailures(failures: ReadyFailure[]): string {
  return failures
    .map((f) => {
      const seconds = Math.round(f.check.timeoutMs / 100) / 10;
      return `not ready: ${f.target} after ${seconds}s (${f.attempts} attempt${f.attempts === 1 ? '' : 's'}): ${f.error}`;
    })
    .join('\n');
}
