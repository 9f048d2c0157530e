import path from 'node:path';
import { capture, secretStrings } from '../assert/capture.js';
import { evaluate } from '../assert/evaluate.js';
import { FlowrunError } from '../errors.js';
import { stepKinds } from '../steps/registry.js';
import type { StepContext, StepOutput, StepRunner } from '../steps/types.js';
import { hasTemplate, renderValue, renderValueAsync, type Scope } from '../template/render.js';
import type {
  AssertionResult,
  Phase,
  PollAttempt,
  PollSpec,
  ScenarioSpec,
  StepResult,
  StepSpec,
} from '../types.js';
import { ITERATION } from './control-flow.js';
import type { ResolvedEnvironment } from '../model/environment.js';
import type { Contract } from '../contract/check.js';
import { MASK, maskableName } from '../util/mask.js';
import { formatMs, sleep } from '../util/time.js';
import type { Resources } from '../util/resources.js';

export interface StepRuntime {
  environment: ResolvedEnvironment;
  resources: Resources;
  scenario: ScenarioSpec;
  scope: Scope;
  signal: AbortSignal;
  /** The scenario's wall-clock deadline (epoch ms). */
  deadline: number;
  /** Inside `repeat:`/`forEach:`: iterations so far, for `capture: { n: { iterations: true } }`. */
  iterations?: number;
  /** The environment's OpenAPI contract: every HTTP exchange is checked against it. */
  contract?: Contract;
  /** The scenario instance's runner state (StepContext.instance). */
  instance: Record<string, unknown>;
  /** Told about secret values captured by a step (reports mask them from then on). */
  onSecret?(value: string): void;
}

const runners = new Map<string, Promise<StepRunner>>();
/** Runners already loaded, with the keys their config keeps literal (no await on the hot path). */
const loaded = new Map<string, { runner: StepRunner; literal: Set<string> }>();
const loadRunner = async (kind: string): Promise<{ runner: StepRunner; literal: Set<string> }> => {
  let r = runners.get(kind);
  if (!r) {
    r = stepKinds[kind].load();
    runners.set(kind, r);
  }
  const runner = await r;
  const entry = {
    runner,
    literal: new Set([...(stepKinds[kind].literalKeys ?? []), ...(runner.literalKeys ?? [])]),
  };
  loaded.set(kind, entry);
  return entry;
};

/** The folder of each scenario file (for `schema: ./file.json`), resolved once per file. */
const folders = new Map<string, string>();
const folderOf = (file: string): string => {
  let dir = folders.get(file);
  if (dir === undefined) {
    dir = path.dirname(path.resolve(file));
    folders.set(file, dir);
  }
  return dir;
};

/** Poll attempts kept in a result: the first few and the last ones (the count is always exact). */
const KEEP_ATTEMPTS = 50;

const render = (value: unknown, scope: Scope): unknown =>
  hasTemplate(value) ? renderValue(value, scope) : value;
/** For the step's own fields and expect, where asynchronous helpers (jwt) may be used. */
const renderAsync = async (value: unknown, scope: Scope): Promise<unknown> =>
  hasTemplate(value) ? renderValueAsync(value, scope) : value;

/** The scope a step sees: the scenario's, plus the `with:` inputs of the includes it came from. */
export function stepScope(step: StepSpec, scope: Scope): Scope {
  if (!step.includeInputs?.length) return scope;
  let inner: Scope = scope;
  for (const inputs of step.includeInputs) inner = { ...inner, ...(render(inputs, inner) as Scope) };
  return inner;
}

/** Runs one step: render, run, poll, evaluate expect, capture (captures go into `rt.scope`). */
export async function runStep(step: StepSpec, phase: Phase, rt: StepRuntime): Promise<StepResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const result: StepResult = {
    name: step.name,
    kind: step.kind,
    phase,
    status: 'passed',
    location: step.location,
    ...(step.includedFrom ? { includedFrom: step.includedFrom } : {}),
    startedAt: startedAt.toISOString(),
    durationMs: 0,
    attempts: 0,
    assertions: [],
    captures: {},
  };
  const finish = (): StepResult => {
    result.durationMs = Math.round((performance.now() - t0) * 100) / 100;
    return result;
  };
  if (step.name.includes('{{')) {
    try {
      result.name = String(renderValue(step.name, stepScope(step, rt.scope)));
      // A rendered name may hold a value (`POST /pay?key={{secrets.key}}`): it is masked like one.
      maskableName(result);
    } catch {
      // The name stays as written; the step's own templates report the problem.
    }
  }
  const fail = (message: string, location = step.location): StepResult => {
    result.status = 'failed';
    result.error = { message, location };
    return finish();
  };
  if (step.skip) {
    let reason: string | undefined = step.skip;
    if (reason.includes('{{')) {
      try {
        reason = skipReason(renderValue(step.skip, stepScope(step, rt.scope)));
      } catch (error) {
        return fail(`skip: ${(error as Error).message}`, step.keyLocations.skip ?? step.location);
      }
    }
    if (reason !== undefined) {
      result.status = 'skipped';
      result.skipReason = reason;
      return finish();
    }
  }
  let scope: Scope;
  let config: unknown;
  let runner: StepRunner;
  try {
    const kind = loaded.get(step.kind) ?? (await loadRunner(step.kind));
    runner = kind.runner;
    scope = stepScope(step, rt.scope);
    // repeat-until renders the step again for each iteration, in its own copy of the scope.
    if (step.flow?.loop?.until) scope = { ...scope, [ITERATION]: 0 };
    config = await renderConfig(step.config, scope, kind.literal);
  } catch (error) {
    return fail((error as Error).message);
  }
  const deadline = Math.min(
    rt.deadline,
    step.timeoutMs !== undefined ? Date.now() + step.timeoutMs : Infinity,
  );
  const baseDir = folderOf(step.location.file);
  const ctx: StepContext = {
    environment: rt.environment,
    resources: rt.resources,
    scenario: rt.scenario,
    signal: rt.signal,
    deadline,
    instance: rt.instance,
    location: step.location,
    render: (value) => render(value, scope),
  };
  const evalCtx = (prefix: string) => ({
    baseDir,
    keyLocations: step.keyLocations,
    prefix,
    fallback: step.location,
  });

  let output: StepOutput;
  let assertions: AssertionResult[] | undefined;
  const repeat = step.flow?.loop?.until ? repeatUntil(step, scope) : undefined;
  if (repeat && 'error' in repeat) return fail(repeat.error, step.flow!.loop!.location);
  const pollSpec = repeat?.spec ?? step.poll;
  try {
    if (pollSpec) {
      const polled = await poll(
        step,
        pollSpec,
        runner,
        config,
        ctx,
        scope,
        evalCtx,
        result,
        repeat && {
          max: repeat.max,
          config: (i) => {
            scope[ITERATION] = i;
            return renderConfig(step.config, scope, kindLiteral(step.kind));
          },
        },
      );
      if (polled.error) return fail(polled.error.message, polled.error.location);
      output = polled.output!;
      if (!pollSpec.until) assertions = polled.last;
    } else {
      result.attempts = 1;
      output = await runner.run(config, ctx);
    }
  } catch (error) {
    const e = error as FlowrunError;
    return fail(e.message, e.location ?? step.location);
  }
  if (output.exchange) {
    result.exchange = output.exchange;
    // `{{last.status}}`, `{{last.body...}}`: the previous HTTP exchange, also after a failed expect.
    rt.scope.last = output.values;
  }
  if (output.summary !== undefined) result.output = output.summary;
  try {
    if (!assertions && step.expect) {
      // Verify's output adds names of its own (`request`) to the scope of its expect.
      const expect = (await renderAsync(
        step.expect,
        output.scope ? { ...scope, ...output.scope } : scope,
      )) as Record<string, unknown>;
      // A loop's `expect: { iterations: n }` checks how many iterations ran (repeat-until: where it held).
      assertions = step.flow?.loop
        ? evaluate(
            expect,
            { ...output, values: { ...output.values, iterations: repeat ? result.attempts : rt.iterations } },
            { ...runner.expect, iterations: 'value' },
            evalCtx('expect'),
          )
        : evaluate(expect, output, runner.expect, evalCtx('expect'));
    }
    assertions ??= [];
  } catch (error) {
    // The kind's own check failed first (verify: nothing matched, so `request` is missing): that
    // failure explains the step better than the template that could not be rendered.
    if (!output.assertions?.some((a) => !a.passed)) return fail((error as Error).message);
    assertions = [];
  }
  result.assertions = [...(output.assertions ?? []), ...assertions];
  if (rt.contract && output.exchange && step.contract !== false) {
    const checked = rt.contract.check(output.exchange, step.location, step.contract);
    if (checked.record) result.contract = checked.record;
    if (checked.assertions.length) result.assertions.push(...checked.assertions);
  }
  // Contract warnings (`contract: warn`) are reported but do not fail the step.
  const failed = result.assertions.find((a) => !a.passed && !a.warning);
  if (failed) {
    result.status = 'failed';
    result.error = { message: failed.message ?? `${failed.path} failed`, location: failed.location };
    return finish();
  }
  if (step.capture) {
    const captured = capture(step.capture, output, repeat ? result.attempts : (rt.iterations ?? 1));
    Object.assign(result.captures, captured.values);
    for (const name of captured.secret) {
      result.captures[name] = MASK;
      for (const secret of secretStrings(captured.values[name])) rt.onSecret?.(secret);
    }
    Object.assign(rt.scope, captured.values);
    if (captured.errors.length) {
      const first = captured.errors[0];
      return fail(
        captured.errors.map((e) => e.message).join('; '),
        step.keyLocations[`capture.${first.name}`],
      );
    }
  }
  return finish();
}

async function renderConfig(config: unknown, scope: Scope, literal: Set<string>): Promise<unknown> {
  if (literal.size === 0 || !config || typeof config !== 'object' || Array.isArray(config))
    return renderAsync(config, scope);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) out[k] = literal.has(k) ? v : await renderAsync(v, scope);
  return out;
}

const kindLiteral = (kind: string): Set<string> => loaded.get(kind)!.literal;

/** A `skip:` template's value: a reason to skip (true, a text), or undefined to run (false, empty). */
function skipReason(value: unknown): string | undefined {
  if (value === true) return 'skipped';
  if (value === false || value === null || value === undefined || value === '') return undefined;
  return String(value);
}

/** `repeat: { times, until }` on one step: a poll bounded by a count instead of a deadline. */
function repeatUntil(step: StepSpec, scope: Scope): { spec: PollSpec; max: number } | { error: string } {
  const loop = step.flow!.loop!;
  let max: unknown = loop.times;
  if (typeof max === 'string') {
    try {
      max = render(max, scope);
    } catch (error) {
      return { error: `repeat.times: ${(error as Error).message}` };
    }
    if (typeof max === 'string' && max.trim() !== '') max = Number(max);
  }
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1)
    return { error: `repeat.times must be a whole number >= 1, got ${JSON.stringify(max)}` };
  return {
    max,
    spec: {
      until: loop.until,
      intervalMs: loop.intervalMs ?? 0,
      timeoutMs: Number.MAX_SAFE_INTEGER,
      location: loop.location,
      prefix: 'repeat.until',
    },
  };
}

async function poll(
  step: StepSpec,
  spec: PollSpec,
  runner: StepRunner,
  config: unknown,
  ctx: StepContext,
  scope: Scope,
  evalCtx: (prefix: string) => Parameters<typeof evaluate>[3],
  result: StepResult,
  repeat?: { max: number; config(iteration: number): Promise<unknown> },
): Promise<{
  output?: StepOutput;
  last?: AssertionResult[];
  error?: { message: string; location?: StepSpec['location'] };
}> {
  const started = Date.now();
  const deadline = Math.min(started + spec.timeoutMs, ctx.deadline);
  const attempts: PollAttempt[] = [];
  let total = 0;
  const until = render(spec.until ?? step.expect ?? {}, scope) as Record<string, unknown>;
  const prefix = spec.until ? (spec.prefix ?? 'poll.until') : 'expect';
  let last: AssertionResult[] = [];
  let lastError: string | undefined;
  let output: StepOutput | undefined;
  // A repeat has no timeout of its own: its record says how long it ran and its most iterations.
  const pollRecord = (timedOut: boolean): StepResult['poll'] =>
    repeat
      ? { attempts, timedOut, timeoutMs: Date.now() - started, maxAttempts: repeat.max }
      : { attempts, timedOut, timeoutMs: spec.timeoutMs };
  const record = (a: PollAttempt) => {
    total++;
    attempts.push(a);
    if (attempts.length > KEEP_ATTEMPTS) attempts.splice(KEEP_ATTEMPTS / 2, 1);
  };
  for (;;) {
    const t = performance.now();
    const at = new Date().toISOString();
    try {
      if (repeat && total > 0) config = await repeat.config(total);
      output = await runner.run(config, { ...ctx, deadline });
      last = evaluate(until, output, runner.expect, evalCtx(prefix));
      const passed = last.every((a) => a.passed);
      lastError = undefined;
      record({
        attempt: total + 1,
        at,
        durationMs: Math.round(performance.now() - t),
        observed: observed(last),
        passed,
      });
      if (passed) break;
    } catch (error) {
      lastError = (error as Error).message;
      record({
        attempt: total + 1,
        at,
        durationMs: Math.round(performance.now() - t),
        observed: {},
        passed: false,
        error: lastError,
      });
    }
    if (ctx.signal.aborted) {
      result.attempts = total;
      result.poll = pollRecord(false);
      return {
        error: { message: `polling was interrupted after ${total} attempt${total === 1 ? '' : 's'}` },
      };
    }
    if (repeat && total >= repeat.max) {
      result.attempts = total;
      result.poll = pollRecord(false);
      result.assertions = last;
      return {
        error: {
          message: `repeat.until never held in ${total} iteration${total === 1 ? '' : 's'}; ${lastSeen(last, lastError)}`,
          location: spec.location,
        },
      };
    }
    if (Date.now() + spec.intervalMs >= deadline) {
      result.attempts = total;
      result.poll = pollRecord(true);
      result.assertions = last;
      const waited = formatMs(Date.now() - started);
      const limit = repeat ? '' : `timeout ${formatMs(spec.timeoutMs)}, `;
      return {
        error: {
          message: `${repeat ? 'repeat' : 'poll'} timed out after ${waited} (${limit}${total} attempt${total === 1 ? '' : 's'}); ${lastSeen(last, lastError)}`,
          location: spec.location,
        },
      };
    }
    await sleep(spec.intervalMs, ctx.signal);
  }
  result.attempts = total;
  result.poll = pollRecord(false);
  return { output, last };
}

const lastSeen = (last: AssertionResult[], lastError: string | undefined): string =>
  lastError
    ? `last error: ${lastError}`
    : `last observed: ${last
        .filter((a) => !a.passed)
        .map((a) => a.message)
        .join('; ')}`;

const observed = (list: AssertionResult[]): Record<string, unknown> =>
  Object.fromEntries(list.map((a) => [a.path, a.actual]));
