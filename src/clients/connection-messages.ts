/** Messages about connections: never print a password, always say host:port, list known names. */
import { closest } from 'fastest-levenshtein';
import { StepError } from '../errors.js';
import type { Location } from '../types.js';

/** `postgres://app:secret@db:5432/shop` -> `postgres://app:***@db:5432/shop` (unparsable: left as is minus userinfo). */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
  }
}

/** `host:port` of a URL, with the scheme's default port when none is written. */
export function hostPort(url: string, defaultPort: number): string {
  try {
    const parsed = new URL(url);
    const host = parsed.hostname || 'localhost';
    return `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${parsed.port || defaultPort}`;
  } catch {
    return url;
  }
}

/** The errno-style code of a socket error, also inside the AggregateError of dual-stack connects. */
export function socketErrorCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; errors?: unknown[]; cause?: unknown };
  if (typeof e?.code === 'string') return e.code;
  if (Array.isArray(e?.errors)) {
    for (const inner of e.errors) {
      const code = socketErrorCode(inner);
      if (code) return code;
    }
  }
  if (e?.cause && e.cause !== error) return socketErrorCode(e.cause);
  return undefined;
}

/** Plain words for the socket errors users meet when a server is down or misaddressed. */
export function describeSocketError(error: unknown): string | undefined {
  switch (socketErrorCode(error)) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'ECONNRESET':
      return 'connection reset by the server';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return undefined;
  }
}

/**
 * The reason a named database / Redis instance cannot be used in this run (its url came from an
 * optional service that did not start), or undefined.
 */
export function unavailableReason(environment: object, key: string): string | undefined {
  return (environment as { unavailable?: Record<string, string> }).unavailable?.[key];
}

/** `unknown database "x"`, listing what the environment defines and the closest name. */
export function unknownNameError(
  what: 'database' | 'Redis instance',
  name: unknown,
  known: string[],
  environment: string,
  section: 'databases' | 'redis',
  location: Location,
): StepError {
  const listed = known.length
    ? `the environment "${environment}" defines: ${known.join(', ')}`
    : `the environment "${environment}" defines no ${section} (add a \`${section}:\` section)`;
  const suggestion = typeof name === 'string' && known.length ? closest(name, known) : undefined;
  // Hints go into the message: a step result carries the message only.
  const hint = suggestion ? ` (did you mean "${suggestion}"?)` : '';
  return new StepError(`unknown ${what} "${String(name)}"${hint}: ${listed}`, {
    code: section === 'databases' ? 'E_SQL_UNKNOWN_DB' : 'E_REDIS_UNKNOWN',
    location,
  });
}

/**
 * The environment's entry `section.name` for a sql or redis step: an unknown name lists the
 * defined ones, and an entry whose optional service did not start says why.
 */
export function namedConnection(
  environment: {
    name: string;
    databases: Record<string, { url: string }>;
    redis: Record<string, { url: string }>;
  },
  section: 'databases' | 'redis',
  name: string,
  location: Location,
): { url: string } {
  const entries = environment[section];
  const what = section === 'databases' ? 'database' : 'Redis instance';
  if (!Object.prototype.hasOwnProperty.call(entries, name)) {
    throw unknownNameError(what, name, Object.keys(entries), environment.name, section, location);
  }
  const unavailable = unavailableReason(environment, `${section}.${name}`);
  if (unavailable) {
    throw new StepError(`${what} "${name}" is not available in this run: ${unavailable}`, {
      code: section === 'databases' ? 'E_SQL_UNAVAILABLE' : 'E_REDIS_UNAVAILABLE',
      location,
    });
  }
  return entries[name];
}
