import type { Location, ScenarioSpec } from '../types.js';
import type { ExpectMode, StepOutput } from '../model/step.js';
import type { ResolvedEnvironment } from '../model/environment.js';
import type { Resources } from '../util/resources.js';

export type { ExpectMode, StepOutput } from '../model/step.js';

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
  /** Template names the step's `expect` sees besides the scenario's (filled from StepOutput.scope). */
  expectNames?: string[];
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
