/**
 * Small formatting helpers shared by the file and CI reporters (junit, html, markdown, matrix,
 * github), so they name scenarios, locate failures and hide credentials the same way.
 */
import { formatLocation } from '../../errors.js';
import type { AssertionResult, HttpExchange, Location, ScenarioResult, StepResult } from '../../types.js';

/** Headers whose values are credentials: never rendered, even if masking upstream missed them. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
export const MASK = '***';

const maskValue = (name: string, value: string): string => {
  // Keep the scheme ("Bearer", "Basic") so a reader still sees what kind of credential was sent.
  const scheme = /^(authorization|proxy-authorization)$/i.test(name)
    ? /^([A-Za-z-]+)\s+\S/.exec(value)?.[1]
    : undefined;
  return scheme ? `${scheme} ${MASK}` : MASK;
};

export function redactHeaders(
  headers: Record<string, string | string[]> | undefined,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const one = (v: string) =>
      SECRET_HEADERS.has(name.toLowerCase()) ? maskValue(name, String(v)) : String(v);
    out[name] = Array.isArray(value) ? value.map(one) : one(value);
  }
  return out;
}

/** The same defence for a curl command line: -H 'Authorization: …', -b/--cookie, -u/--user. */
export function redactCurl(curl: string): string {
  return curl
    .replace(
      /(-H\s+|--header\s+)(['"]?)(authorization|proxy-authorization|cookie|set-cookie)\s*:\s*([^'"\n]*)\2/gi,
      (_m, flag: string, q: string, name: string, value: string) =>
        `${flag}${q}${name}: ${maskValue(name, value)}${q}`,
    )
    .replace(/(\s)(-b|--cookie|-u|--user)(\s+)(['"]?)[^\s'"]+\4/g, `$1$2$3$4${MASK}$4`);
}

export function redactExchange(ex: HttpExchange): HttpExchange {
  return {
    request: { ...ex.request, headers: redactHeaders(ex.request.headers) as Record<string, string> },
    ...(ex.response ? { response: { ...ex.response, headers: redactHeaders(ex.response.headers) } } : {}),
    curl: redactCurl(ex.curl),
  };
}

export const formatParams = (params: Record<string, unknown>): string => {
  const entries = Object.entries(params ?? {});
  return entries.length ? ` (${entries.map(([k, v]) => `${k}=${stringify(v)}`).join(', ')})` : '';
};

/** `Name (gateway=stripe) [staging]`; the environment only when the run had several. */
export function displayName(s: ScenarioResult, multiEnv: boolean): string {
  return `${s.name}${formatParams(s.parameters)}${multiEnv ? ` [${s.environment}]` : ''}`;
}

export const stringify = (v: unknown): string => {
  if (typeof v === 'string') return v;
  if (v === undefined) return 'undefined';
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
};

export const pretty = (v: unknown): string => {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  try {
    return JSON.stringify(v, null, 2);
  } catch {
    return String(v);
  }
};

export const formatDuration = (ms: number): string =>
  ms < 1000
    ? `${Math.round(ms)}ms`
    : ms < 60_000
      ? `${(ms / 1000).toFixed(2)}s`
      : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;

/** What made a scenario fail, for one-line summaries and annotations. */
export interface FailureSummary {
  /** One line: the expectation's message or the error. */
  message: string;
  /** The failing step, when the failure came from a step. */
  step?: StepResult;
  assertion?: AssertionResult;
  /** The most precise location known: the assertion's, the error's, the step's, the scenario's. */
  location: Location;
  kind: 'assertion' | 'error' | 'timeout';
}

/** The first failing assertion or error of a failed scenario (setup, steps and teardown in order). */
export function firstFailure(s: ScenarioResult): FailureSummary | undefined {
  if (s.status !== 'failed') return undefined;
  for (const step of s.steps) {
    if (step.status !== 'failed') continue;
    const assertion = step.assertions.find((a) => !a.passed);
    if (assertion) {
      return {
        message: `${assertion.path}: ${assertion.message ?? `expected ${stringify(assertion.expected)}, got ${stringify(assertion.actual)}`}`,
        step,
        assertion,
        location: assertion.location ?? step.location,
        kind: step.poll?.timedOut ? 'timeout' : 'assertion',
      };
    }
    if (step.error) {
      return {
        message: step.error.message,
        step,
        location: step.error.location ?? step.location,
        kind: 'error',
      };
    }
    if (step.poll?.timedOut) {
      return {
        message: `poll timed out after ${formatDuration(step.poll.timeoutMs)}`,
        step,
        location: step.location,
        kind: 'timeout',
      };
    }
    return { message: `step "${step.name}" failed`, step, location: step.location, kind: 'error' };
  }
  const error = s.error ?? { message: 'scenario failed' };
  return { message: error.message, location: error.location ?? s.location, kind: 'error' };
}

export const where = (loc: Location | undefined): string => formatLocation(loc);
/** `file:line`, the form people click in CI logs. */
export const fileLine = (loc: Location | undefined): string => (loc ? `${loc.file}:${loc.line}` : '');

/** Strips characters terminals and XML choke on (ANSI escapes come from captured output). */
export const plain = (text: string): string =>
  // eslint-disable-next-line no-control-regex
  text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
