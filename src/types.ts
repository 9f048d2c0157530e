/**
 * The contracts every part of flowrun plugs into: the loaded scenario model, step runners,
 * results, run events and reporters. Everything here is plain JSON-serialisable data except
 * the runner and reporter interfaces.
 */

/** A place in a source file (1-based line and column). */
export interface Location {
  file: string;
  line: number;
  col: number;
}

export type Phase = 'setup' | 'steps' | 'teardown';

/** A matcher or a plain value, as written in YAML. */
export type Expected = unknown;

/** `poll:` on any step. Durations are in milliseconds once normalized. */
export interface PollSpec {
  /** Expectations (same shape as `expect`) that end the loop; absent means "until expect passes". */
  until?: Record<string, unknown>;
  intervalMs: number;
  timeoutMs: number;
  location: Location;
  /** The keyLocations prefix of `until` (default `poll.until`; `repeat.until` for repeat). */
  prefix?: string;
}

/** A step after loading: still holds raw (un-rendered) templates in `config`. */
export interface StepSpec {
  /** Display name: `name:` or a generated `<kind> <summary>`. */
  name: string;
  /** The step kind, a key of the registry (http, sql, redis, verify). */
  kind: string;
  /** The kind's own block (e.g. the value of `http:`), templates not yet rendered. */
  config: unknown;
  expect?: Record<string, unknown>;
  capture?: Record<string, unknown>;
  poll?: PollSpec;
  /** `skip: reason` on a step. */
  skip?: string;
  /** `timeout:` of the step (polling included). */
  timeoutMs?: number;
  location: Location;
  /** Locations of individual keys, e.g. `expect.status`, `expect.body.$.id`, `capture.token`. */
  keyLocations: Record<string, Location>;
  /** Set on steps that came from an `include:`; the include chain, outermost first. */
  includedFrom?: Location[];
  /** `contract: false` turns the OpenAPI check off for this step; `{ requests: true }` checks its request too. */
  contract?: false | { requests?: boolean };
  /**
   * Inputs bound by the `with:` of each include the step came from, outermost first; each is
   * rendered in the scope the previous ones produced.
   */
  includeInputs?: Record<string, unknown>[];
  /** Control flow (`when`, `repeat`, `forEach`, `continueOnFailure`); absent on plain steps. */
  flow?: StepFlow;
  /**
   * Set on a group: the steps of an `include:` that carries `when`, `repeat` or `forEach`, run
   * together (kind `include`, no config of its own).
   */
  group?: StepSpec[];
}

/** `when:` on a step, an include or a scenario: a single-expression template that must give a boolean. */
export interface ConditionSpec {
  /** As written, e.g. `{{gt articlesCount 0}}` (or a literal boolean). */
  expr: string | boolean;
  location: Location;
}

/** `repeat:` and `forEach:` on a step or an include. */
export interface LoopSpec {
  /** `repeat: N` (a number or a template giving one). */
  times?: number | string;
  /** `repeat: { until }`: expectations (same shape as `expect`) that end the loop early; failing if they never hold. */
  until?: Record<string, unknown>;
  /** `repeat.interval`: a pause between iterations of a `repeat` with `until` (default none). */
  intervalMs?: number;
  /** `forEach.items`: a template (or list) giving a list, or rows read from `{ file }` at load time. */
  items?: unknown;
  /** `forEach.as`: the name of the item in scope. */
  as?: string;
  location: Location;
}

export interface StepFlow {
  when?: ConditionSpec;
  loop?: LoopSpec;
  /** `continueOnFailure: true`: a failure of this step does not stop the scenario. */
  continueOnFailure?: boolean;
}

/** An expectation on a mock server, as written in a scenario's `mocks:` (templates rendered at start). */
export interface MockExpectationSpec {
  id: string;
  server: string;
  request: Record<string, unknown>;
  response?: Record<string, unknown>;
  responses?: Record<string, unknown>[];
  times?: number;
  priority?: number;
  location: Location;
}

/** One scenario instance (one per parameter combination and environment). */
export interface ScenarioSpec {
  /** Stable id: `<file>#<name>[params]`; used for sharding and merging. */
  id: string;
  name: string;
  file: string;
  location: Location;
  /** Where the name comes from: `name:`, or the parameter value that makes the instance's name. */
  nameLocation?: Location;
  tags: string[];
  covers: string[];
  coversLocations: Location[];
  vars: Record<string, unknown>;
  parameters: Record<string, unknown>;
  mocks: MockExpectationSpec[];
  setup: StepSpec[];
  steps: StepSpec[];
  teardown: StepSpec[];
  skip?: string;
  /** `when:` on the scenario: it runs only if the condition holds, else it is skipped. */
  when?: ConditionSpec;
  /** `onFailure: continue`: later steps still run after a failed step. */
  continueOnFailure?: boolean;
  only?: string[];
  writes: boolean;
  /** Environment resources it needs (`redis.cache`, `services.db`...), from `requires:` and its steps. */
  requires?: string[];
  timeoutMs?: number;
  retries?: number;
  description?: string;
}

// ---------------------------------------------------------------------------------------------
// Results

export type Status = 'passed' | 'failed' | 'skipped' | 'flaky';

/** One checked expectation; reporters show diffs from these without knowing the step kind. */
export interface AssertionResult {
  /** What was checked, e.g. `status`, `body $.user.email`, `headers.content-type`, `rows[0].status`. */
  path: string;
  /** The matcher name (`eq`, `gt`, `type`, `oneOf`, `schema`...). */
  matcher: string;
  expected: unknown;
  actual: unknown;
  passed: boolean;
  /** A one-line explanation when it failed. */
  message?: string;
  location?: Location;
  /** `contract`: a check against the OpenAPI description, not one of the scenario's own expectations. */
  source?: 'contract';
  /** A failed check that does not fail the step (`contract: warn`). */
  warning?: boolean;
}

/** What the contract check saw of one http step: the operation it matched, or none. */
export interface ContractRecord {
  /** The OpenAPI document (as configured: a path or URL). */
  spec: string;
  /** `GET /articles/{slug}` when the request matched an operation. */
  operation?: string;
  /** The response status (counted in API coverage). */
  status?: number;
  /** `GET /health` when the request matched no operation of the spec. */
  undocumented?: string;
}

/** One operation of an OpenAPI document and the statuses it declares (the coverage catalogue). */
export interface ApiOperation {
  /** `GET /articles/{slug}`. */
  id: string;
  /** Declared response keys: `200`, `4XX`, `default`. */
  declared: string[];
}

/** API coverage of one OpenAPI document. */
export interface ApiSpecCoverage {
  spec: string;
  title?: string;
  /** `3.0.3`, `3.1.0`. */
  openapi?: string;
  operations: (ApiOperation & { statuses: Record<string, number> })[];
  covered: number;
  total: number;
  /** covered / total in percent, two decimals; 100 for a document without operations. */
  percent: number;
  /** Requests that matched no operation, with how often they were made. */
  undocumented: { request: string; count: number }[];
  /** Failed contract checks (failures and warnings). */
  violations: number;
  warnings: number;
}

/** API coverage of a run: one entry per OpenAPI document in use. */
export interface ApiCoverage {
  specs: ApiSpecCoverage[];
}

/** An HTTP exchange as recorded for reports (headers and bodies already masked at the event boundary). */
export interface HttpExchange {
  request: { method: string; url: string; headers: Record<string, string>; body?: unknown };
  response?: {
    status: number;
    /** Set-Cookie is a list. */
    headers: Record<string, string | string[]>;
    body: unknown;
    durationMs: number;
  };
  /** A runnable curl command reproducing the request. */
  curl: string;
}

export interface PollAttempt {
  attempt: number;
  at: string;
  durationMs: number;
  /** The values observed for each `until` (or expect) path on this attempt. */
  observed: Record<string, unknown>;
  passed: boolean;
  error?: string;
}

export interface StepResult {
  name: string;
  kind: string;
  phase: Phase;
  status: Status;
  location: Location;
  includedFrom?: Location[];
  startedAt: string;
  durationMs: number;
  attempts: number;
  assertions: AssertionResult[];
  captures: Record<string, unknown>;
  /** Kind-specific output summary for reports (e.g. rows, redis result, matched requests). */
  output?: unknown;
  exchange?: HttpExchange;
  /** Attempts of `poll:`, or of `repeat: { until }` (then `maxAttempts` is its `times`). */
  poll?: { attempts: PollAttempt[]; timedOut: boolean; timeoutMs: number; maxAttempts?: number };
  error?: { message: string; location?: Location };
  skipReason?: string;
  /** The iteration (0-based) of a `repeat:` or `forEach:` this result belongs to. */
  iteration?: number;
  /** Set when an OpenAPI document is configured and the step made an HTTP request. */
  contract?: ContractRecord;
}

export interface ScenarioResult {
  id: string;
  name: string;
  file: string;
  location: Location;
  environment: string;
  tags: string[];
  covers: string[];
  parameters: Record<string, unknown>;
  status: Status;
  skipReason?: string;
  startedAt: string;
  durationMs: number;
  /** 1 + retries used. */
  attempts: number;
  steps: StepResult[];
  /** Requests that reached a mock server of this scenario and matched no expectation. */
  unmatchedRequests?: unknown[];
  error?: { message: string; location?: Location };
}

export interface Totals {
  scenarios: number;
  passed: number;
  failed: number;
  skipped: number;
  flaky: number;
}

/**
 * A problem of the run itself rather than of one scenario: an environment that could not be
 * prepared, a resource that would not close, a reporter that failed.
 */
export interface RunError {
  message: string;
  location?: Location;
  /** The FlowrunError code, when the error was one (e.g. `E_NOT_READY`). */
  code?: string;
  hint?: string;
}

export interface RunResult {
  runId: string;
  flowrunVersion: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  environments: string[];
  totals: Totals;
  /** Passed (incl. flaky) / (scenarios - skipped), in percent; 100 when nothing ran. */
  successRate: number;
  interrupted: boolean;
  scenarios: ScenarioResult[];
  errors: RunError[];
  /** Set when a matrix file was loaded. */
  matrix?: unknown;
  /** Set when an environment names an OpenAPI document (`openapi:`). */
  api?: ApiCoverage;
}

// ---------------------------------------------------------------------------------------------
// Reporters

export interface RunInfo {
  runId: string;
  startedAt: string;
  environments: string[];
  /** Number of scenario instances planned. */
  total: number;
  outDir: string;
  cwd: string;
}

/**
 * A reporter listens to run events. Every method is optional; the multiplexer calls them in
 * order and turns a throwing reporter into a run error instead of a crash. Events carry plain
 * JSON (secrets already masked), so a run can be recorded as NDJSON and replayed into any reporter.
 */
export interface Reporter {
  onBegin?(info: RunInfo): void | Promise<void>;
  onScenarioBegin?(scenario: { id: string; name: string; environment: string; file: string }): void;
  onStepEnd?(scenario: { id: string; environment: string }, step: StepResult): void;
  onScenarioEnd?(result: ScenarioResult): void;
  onError?(error: RunError): void;
  /** Called once at the end (also after an interruption); reports are written here. */
  onEnd?(result: RunResult): void | Promise<void>;
}

/** Options handed to a reporter factory. */
export interface ReporterOptions {
  outDir: string;
  cwd: string;
  /** Where console output goes; reporters that write to the terminal use it. */
  screen: Screen;
  /** Path of the integration matrix file, if any. */
  matrixFile?: string;
  /** `--coverage`: the console lists every OpenAPI operation, not only the summary line. */
  apiCoverageList?: boolean;
}

export type ReporterFactory = (options: ReporterOptions) => Reporter | Promise<Reporter>;

/** The terminal, injected so colour and TTY decisions are made once. */
export interface Screen {
  isTTY: boolean;
  color: boolean;
  columns: number;
  out(text: string): void;
  err(text: string): void;
}
