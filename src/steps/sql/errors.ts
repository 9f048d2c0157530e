import { StepError } from '../../errors.js';
import type { Location } from '../../types.js';
import { describeSocketError, hostPort, maskUrl } from '../../clients/connection-messages.js';

/** Fields of pg's DatabaseError that messages use. */
interface PgError {
  message: string;
  code?: string;
  position?: string;
  detail?: string;
  hint?: string;
  where?: string;
}

function connectionProblem(error: PgError): string {
  const socket = describeSocketError(error);
  if (socket) return socket;
  switch (error.code) {
    case '28P01':
    case '28000':
      return `authentication failed: ${error.message}`;
    case '3D000':
      return error.message; // database "x" does not exist
    case '57P03':
      return `the server is not accepting connections yet: ${error.message}`;
  }
  if (/timeout/i.test(error.message)) return 'no answer in time (connection timeout)';
  if (/password must be a string/i.test(error.message))
    return 'the server asks for a password and the URL has none';
  return error.message;
}

/** A failure to open a connection: host:port and the URL with its password masked. */
export function connectionError(name: string, url: string, error: unknown, location: Location): StepError {
  const e = error as PgError;
  const problem = connectionProblem(e);
  const hint = /refused/.test(problem) ? '; is PostgreSQL running and listening on that port?' : '';
  return new StepError(
    `cannot connect to database "${name}" at ${hostPort(url, 5432)}: ${problem} (${maskUrl(url)})${hint}`,
    { code: 'E_SQL_CONNECT', location, cause: error },
  );
}

/** Whether a pg error came from the server while running the statement (vs. the connection). */
export function isServerError(error: unknown): error is PgError {
  const e = error as PgError;
  return typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && !e.code.startsWith('08');
}

/**
 * The query with a caret under the character PostgreSQL points at (`position` is 1-based, in
 * characters of the query text), numbered lines when the query spans several.
 */
export function codeFrame(query: string, position?: number): string {
  const lines = query.replace(/\s+$/, '').split('\n');
  const multi = lines.length > 1;
  const width = String(lines.length).length;
  const gutter = (n: number | '') => (multi ? `${String(n).padStart(width)} | ` : '');
  let offset = 0;
  const out: string[] = [];
  lines.forEach((line, i) => {
    out.push(`  ${gutter(i + 1)}${line}`);
    const start = offset;
    offset += line.length + 1;
    if (position !== undefined && position - 1 >= start && position - 1 < offset) {
      const col = position - 1 - start;
      // Keep tabs so the caret lines up under the same character in a terminal.
      const pad = line.slice(0, col).replace(/[^\t]/g, ' ');
      out.push(`  ${multi ? `${' '.repeat(width)} | ` : ''}${pad}^`);
    }
  });
  return out.join('\n');
}

/** PostgreSQL's message, the SQLSTATE, the query with the error marked, detail and hint. */
export function queryError(name: string, query: string, error: PgError, location: Location): StepError {
  const position = error.position ? Number(error.position) : undefined;
  const parts = [
    `SQL error on database "${name}": ${error.message} (SQLSTATE ${error.code})`,
    codeFrame(query, position),
  ];
  if (error.detail) parts.push(`detail: ${error.detail}`);
  if (error.where) parts.push(`where: ${error.where}`);
  if (error.hint) parts.push(`hint: ${error.hint}`);
  return new StepError(parts.join('\n'), { code: 'E_SQL', location, cause: error });
}
