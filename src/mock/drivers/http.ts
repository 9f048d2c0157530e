/** A small JSON-over-HTTP client for the external mock servers' admin APIs, always with a deadline. */
import { createHash } from 'node:crypto';
import { FlowrunError } from '../../errors.js';
import type { Location } from '../../types.js';

export interface AdminAnswer {
  status: number;
  text: string;
  json?: unknown;
}

export async function adminCall(
  server: string,
  base: string,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 10_000,
): Promise<AdminAnswer> {
  const url = `${base}${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new FlowrunError(`mock server "${server}": ${method} ${url} failed: ${cause}`, {
      code: 'E_MOCK_DRIVER',
      cause: error,
    });
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

/**
 * Waits (bounded) until `probe` answers true; used to check an external server is reachable.
 * The error names the server, its URL and the last failure, at `location` (its environment entry).
 */
export async function waitReachable(
  server: string,
  url: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  location?: Location,
) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
      last = 'unexpected answer';
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new FlowrunError(`mock server "${server}" at ${url} is not reachable: ${last}`, {
    code: 'E_MOCK_DRIVER',
    location,
  });
}

/** A short stable tag for a scope id, safe in ids and scenario names. */
export const scopeTag = (scopeId: string) => createHash('sha1').update(scopeId).digest('hex').slice(0, 10);
