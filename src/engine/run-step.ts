import path from 'node:path';
import { capture } from '../assert/capture.js';
import { evaluate } from '../assert/evaluate.js';
import { FlowrunError } from '../errors.js';
import { stepKinds } from '../steps/registry.js';
import type { StepContext, StepOutput, StepRunner } from '../steps/types.js';
import { hasTemplate, renderValue, type Scope } from '../template/render.js';
import type { AssertionResult, Phase, PollAttempt, ScenarioSpec, StepResult, StepSpec } from '../types.js';
import type { ResolvedEnvironment } from '../model/environment.js';
import type { Contract } from '../contract/check.js';
import { MASK } from '../util/mask.js';
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

function stepScope(step: StepSpec, scope: Scope): Scope {
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
    } catch {
      // The name stays as written; the step's own templates report the problem.
    }
  }
  if (step.skip) {
    result.status = 'skipped';
    result.skipReason = step.skip;
    return finish();
  }
  const fail = (message: string, location = step.location): StepResult => {
    result.status = 'failed';
    result.error = { message, location };
    return finish();
  };
  let scope: Scope;
  let config: unknown;
  let runner: StepRunner;
  try {
    const kind = loaded.get(step.kind) ?? (await loadRunner(step.kind));
    runner = kind.runner;
    scope = stepScope(step, rt.scope);
    config = renderConfig(step.config, scope, kind.literal);
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
  try {
    if (step.poll) {
      const polled = await poll(step, runner, config, ctx, scope, evalCtx, result);
      if (polled.error) return fail(polled.error.message, polled.error.location);
      output = polled.output!;
      if (!step.poll.until) assertions = polled.last;
    } else {
      result.attempts = 1;
      output = await runner.run(config, ctx);
    }
  } catch (error) {
    const e = error as FlowrunError;
    return fail(e.message, e.location ?? step.location);
  }
  if (output.exchange) result.exchange = output.exchange;
  if (output.summary !== undefined) result.output = output.summary;
  try {
    if (!assertions)
      assertions = step.expect
        ? evaluate(
            render(step.expect, output.scope ? { ...scope, ...output.scope } : scope) as Record<
              string,
              unknown
            >,
            output,
            runner.expect,
            evalCtx('expect'),
          )
        : [];
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
    const captured = capture(step.capture, output);
    Object.assign(result.captures, captured.values);
    for (const name of captured.secret) {
      result.captures[name] = MASK;
      rt.onSecret?.(String(captured.values[name]));
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

function renderConfig(config: unknown, scope: Scope, literal: Set<string>): unknown {
  if (literal.size === 0 || !config || typeof config !== 'object' || Array.isArray(config))
    return render(config, scope);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) out[k] = literal.has(k) ? v : render(v, scope);
  return out;
}

async function poll(
  step: StepSpec,
  runner: StepRunner,
  config: unknown,
  ctx: StepContext,
  scope: Scope,
  evalCtx: (prefix: string) => Parameters<typeof evaluate>[3],
  result: StepResult,
): Promise<{
  output?: StepOutput;
  last?: AssertionResult[];
  error?: { message: string; location?: StepSpec['location'] };
}> {
  const spec = step.poll!;
  const started = Date.now();
  const deadline = Math.min(started + spec.timeoutMs, ctx.deadline);
  const attempts: PollAttempt[] = [];
  let total = 0;
  const until = render(spec.until ?? step.expect ?? {}, scope) as Record<string, unknown>;
  const prefix = spec.until ? 'poll.until' : 'expect';
  let last: AssertionResult[] = [];
  let lastError: string | undefined;
  let output: StepOutput | undefined;
  const record = (a: PollAttempt) => {
    total++;
    attempts.push(a);
    if (attempts.length > KEEP_ATTEMPTS) attempts.splice(KEEP_ATTEMPTS / 2, 1);
  };
  for (;;) {
    const t = performance.now();
    const at = new Date().toISOString();
    try {
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
      result.poll = { attempts, timedOut: false, timeoutMs: spec.timeoutMs };
      return {
        error: { message: `polling was interrupted after ${total} attempt${total === 1 ? '' : 's'}` },
      };
    }
    if (Date.now() + spec.intervalMs >= deadline) {
      result.attempts = total;
      result.poll = { attempts, timedOut: true, timeoutMs: spec.timeoutMs };
      result.assertions = last;
      const waited = formatMs(Date.now() - started);
      const lastSeen = lastError
        ? `last error: ${lastError}`
        : `last observed: ${last
            .filter((a) => !a.passed)
            .map((a) => a.message)
            .join('; ')}`;
      return {
        error: {
          message: `poll timed out after ${waited} (timeout ${formatMs(spec.timeoutMs)}, ${total} attempt${total === 1 ? '' : 's'}); ${lastSeen}`,
          location: spec.location,
        },
      };
    }
    await sleep(spec.intervalMs, ctx.signal);
  }
  result.attempts = total;
  result.poll = { attempts, timedOut: false, timeoutMs: spec.timeoutMs };
  return { output, last };
}

const observed = (list: AssertionResult[]): Record<string, unknown> =>
  Object.fromEntries(list.map((a) => [a.path, a.actual]));
