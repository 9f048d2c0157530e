import type { AssertionResult, HttpExchange, Location, ScenarioSpec } from '../types.js';
import type { ResolvedEnvironment } from '../config/types.js';
import type { Resources } from '../engine/resources.js';

/**
 * How the engine evaluates one `expect` key of a step kind against the runner's output:
 * - `value`: the matcher table against `values[key]`
 * - `oneOf`: like value, but a YAML list means "one of" (http status)
 * - `headers`: an object of name -> matcher, names case-insensitive
 * - `jsonpath`: an object of `$...` -> matcher over `values[key]` (or a plain value: deep equality)
 * - `rows`: a list of partial objects matched against the rows in order
 * - `schema`: a JSON Schema (inline or a file path relative to the scenario) for `values[key]`
 * - `secrets`: an object of name -> matcher over `values[key]` (names case-sensitive) whose values
 *   are masked in results (cookies)
 */
export type ExpectMode = 'value' | 'oneOf' | 'headers' | 'jsonpath' | 'rows' | 'schema' | 'secrets';

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
}

export interface StepContext {
  environment: ResolvedEnvironment;
  resources: Resources;
  scenario: ScenarioSpec;
  /** Aborted on Ctrl-C or when the scenario's deadline passes. */
  signal: AbortSignal;
  /** Wall-clock deadline for this step (epoch ms). */
  deadline: number;
  /**
   * State of the scenario instance that runners keep between its steps (the http cookie jar);
   * setup, steps and teardown of one instance share it, a retry starts empty.
   */
  instance: Record<string, unknown>;
  location: Location;
  /** Render a template value in the step's scope (for runners that render late, e.g. verify). */
  render(value: unknown): unknown;
}

/** A problem found while loading, located at a key of the step's own block. */
export interface StepCheckIssue {
  /** Path inside the step's block, e.g. ['query'] or ['params', 0]. */
  path: (string | number)[];
  message: string;
}

/** One step kind. Adding a kind means one folder under src/steps and one line in registry.ts. */
export interface StepRunner<Config = any> {
  kind: string;
  /** How each allowed `expect` key is evaluated; keys starting with `$` are always JSONPath over `root`. */
  expect: Record<string, ExpectMode>;
  /**
   * Keys of the block that are not rendered before `run` (they are rendered by the runner or
   * must stay literal, e.g. the SQL `query`).
   */
  literalKeys?: string[];
  run(config: Config, ctx: StepContext): Promise<StepOutput>;
}

/** A registry entry: cheap metadata at load time, the runner itself loaded lazily. */
export interface StepKind {
  kind: string;
  /** Load-time checks beyond the JSON Schema. */
  check?(config: unknown): StepCheckIssue[];
  /** A default step name from its block, e.g. `GET /api/orders`. */
  describe(config: any): string;
  /** Keys of the block the engine must not render (same meaning as StepRunner.literalKeys). */
  literalKeys?: string[];
  /**
   * Environment resources the step needs (`databases.main`, `redis.cache`): when one is
   * unavailable the scenario is skipped with the reason instead of failing.
   */
  requires?(config: any): string[];
  /**
   * Mock servers the step reads (besides the scenario's own `mocks:`): a scenario holds their
   * locks so parallel scenarios never count one another's calls.
   */
  mockServers?(config: any, scenario: { mocks: { id: string; server: string }[] }): string[];
  load(): Promise<StepRunner>;
}
