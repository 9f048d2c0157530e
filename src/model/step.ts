import type { AssertionResult, HttpExchange } from '../types.js';

/**
 * How the engine evaluates one `expect` key of a step kind against the runner's output:
 * - `value`: the matcher table against `values[key]`
 * - `oneOf`: status codes: a number, a YAML list meaning "one of", or a matcher (a whole number
 *   as text, e.g. a rendered CSV value, counts as a number; anything else is a failed check)
 * - `headers`: an object of name -> matcher, names case-insensitive
 * - `jsonpath`: an object of `$...` -> matcher over `values[key]` (or a plain value: deep equality)
 * - `rows`: a list of partial objects matched against the rows in order
 * - `schema`: a JSON Schema (inline or a file path relative to the scenario) for `values[key]`
 * - `secrets`: an object of name -> matcher over `values[key]` (names case-sensitive) whose values
 *   are masked in results (cookies)
 * - `regex`: `{ regex, from, value? }` (or a list of them) over the output's text or a header:
 *   it must match, and its first group must equal `value` when given
 */
export type ExpectMode = 'value' | 'oneOf' | 'headers' | 'jsonpath' | 'rows' | 'schema' | 'secrets' | 'regex';

/** What a runner hands back. Runners never assert: the engine applies expect, capture and poll. */
export interface StepOutput {
  /** Values for the kind's `expect` keys, e.g. `{ status, headers, body, duration }`. */
  values: Record<string, unknown>;
  /** The document that `$...` JSONPath in expect and capture applies to. */
  root: unknown;
  /** Response headers (lower-case names; Set-Cookie a list) for `{ header: name }` captures. */
  headers?: Record<string, string | string[]>;
  /** Cookies by name, for `{ cookie: name }` captures (read only when a capture asks). */
  cookies?(): Record<string, string>;
  /** The raw text `{ regex, from: body }` captures and expectations read (the body as received). */
  text?: string;
  exchange?: HttpExchange;
  /** A small JSON summary shown in reports (e.g. rows, redis result). */
  summary?: unknown;
  /**
   * Checks for kinds whose block is itself the expectation (verify's `times`); the engine adds
   * them to the step's assertions next to those it evaluates from `expect`.
   */
  assertions?: AssertionResult[];
  /**
   * Names the step's own `expect` may use in templates besides the scenario's (verify's
   * `request`: the first matching recorded request); declared in StepKind.expectNames.
   */
  scope?: Record<string, unknown>;
}
