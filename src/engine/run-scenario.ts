import type { ResolvedEnvironment } from '../model/environment.js';
import type { Contract } from '../contract/check.js';
import { stepKinds } from '../steps/registry.js';
import { hasTemplate, renderValue, renderValueAsync, type Scope } from '../template/render.js';
import type { Location, Phase, ScenarioResult, ScenarioSpec, StepResult, StepSpec } from '../types.js';
import type { Resources } from '../util/resources.js';
import { onAbort } from '../util/abort.js';
import { formatMs } from '../util/time.js';
import { runStep, stepScope as stepScopeOf, type StepRuntime } from './run-step.js';
import {
  conditionHolds,
  conditionReason,
  flatSteps,
  ITERATION,
  iterationLabel,
  loopItems,
  stepRoots,
} from './control-flow.js';
import type { StepError } from '../errors.js';

/** Teardown gets its own deadline so it still runs after a timeout or Ctrl-C. */
export const TEARDOWN_GRACE_MS = 30_000;
export const DEFAULT_SCENARIO_TIMEOUT_MS = 5 * 60_000;

export interface ScenarioRuntime {
  environment: ResolvedEnvironment;
  resources: Resources;
  runId: string;
  /** --var overrides. */
  overrides: Record<string, unknown>;
  /** Aborted on interruption. */
  signal: AbortSignal;
  /** The environment's OpenAPI contract (http steps are checked against it). */
  contract?: Contract;
  defaultTimeoutMs?: number;
  /** `failed`: drop request/response details of steps that did not fail (bounded memory on big runs). */
  exchanges?: 'all' | 'failed';
  /** `onFailure: continue` in flowrun.config.yaml (a scenario's own `onFailure` wins). */
  continueOnFailure?: boolean;
  onStepEnd?(step: StepResult): void;
  /** A secret value learnt by a step (a captured cookie): reports mask it from now on. */
  onSecret?(value: string): void;
}

/** The root scope of a scenario: built-ins, environment vars, parameters, --var, then its own vars in order. */
export async function scenarioScope(spec: ScenarioSpec, rt: ScenarioRuntime): Promise<Scope> {
  const env = rt.environment;
  const mocks: Record<string, { url?: string }> = {};
  for (const [name, m] of Object.entries(env.mocks)) mocks[name] = { url: m.url };
  const scope: Scope = {
    runId: rt.runId,
    baseUrl: env.baseUrl,
    env: process.env,
    secrets: env.secrets,
    services: env.services,
    mocks,
    scenario: { id: spec.id, name: spec.name, file: spec.file, environment: env.name },
    ...env.vars,
    ...spec.parameters,
    ...rt.overrides,
  };
  for (const [k, v] of Object.entries(spec.vars)) {
    if (Object.prototype.hasOwnProperty.call(rt.overrides, k)) continue;
    scope[k] = hasTemplate(v) ? await renderValueAsync(v, scope) : v;
  }
  return scope;
}

/** Runs setup, steps and teardown of one scenario instance (teardown always runs). */
export async function runScenario(spec: ScenarioSpec, rt: ScenarioRuntime): Promise<ScenarioResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const result: ScenarioResult = {
    id: spec.id,
    name: spec.name,
    file: spec.file,
    location: spec.location,
    environment: rt.environment.name,
    tags: spec.tags,
    covers: spec.covers,
    parameters: spec.parameters,
    status: 'passed',
    startedAt: startedAt.toISOString(),
    durationMs: 0,
    attempts: 1,
    steps: [],
  };
  const timeoutMs = spec.timeoutMs ?? rt.defaultTimeoutMs ?? DEFAULT_SCENARIO_TIMEOUT_MS;
  // One controller and one timer per scenario (cheaper than AbortSignal.any + AbortSignal.timeout).
  const controller = new AbortController();
  const timeout = { aborted: false };
  const timer = setTimeout(() => {
    timeout.aborted = true;
    controller.abort(new Error(timedOut(timeoutMs)));
  }, timeoutMs);
  timer.unref();
  const onRunAbort = () => controller.abort(rt.signal.reason);
  const forget = rt.signal.aborted ? undefined : onAbort(rt.signal, onRunAbort);
  if (!forget) onRunAbort();
  const signal = controller.signal;
  const dispose = () => {
    clearTimeout(timer);
    forget?.();
  };
  const deadline = Date.now() + timeoutMs;
  let scope: Scope;
  try {
    scope = await scenarioScope(spec, rt);
  } catch (error) {
    result.status = 'failed';
    result.error = { message: `vars: ${(error as Error).message}`, location: spec.location };
    result.durationMs = Math.round(performance.now() - t0);
    dispose();
    return result;
  }
  const step: StepRuntime = {
    environment: rt.environment,
    resources: rt.resources,
    scenario: spec,
    scope,
    signal,
    deadline,
    contract: rt.contract,
    instance: {},
    onSecret: rt.onSecret,
  };
  const record = (r: StepResult) => {
    result.steps.push(r);
    if (rt.exchanges === 'failed' && r.status !== 'failed') delete r.exchange;
    rt.onStepEnd?.(r);
  };
  let failed = false;
  // A failure stops the later steps unless the step (or the scenario) continues on failure.
  let halted = false;
  // Captures that a failed or skipped step did not make: name -> why (created on first need).
  let unset: Map<string, string> | undefined;
  const continues = spec.continueOnFailure ?? rt.continueOnFailure ?? false;
  if (spec.when || spec.skip) {
    const why = preconditions(spec, scope);
    if (why) {
      dispose();
      if (why.failed) {
        result.status = 'failed';
        result.error = why.failed;
      } else {
        result.status = 'skipped';
        result.skipReason = why.skipped;
      }
      result.durationMs = Math.round(performance.now() - t0);
      return result;
    }
  }
  const mocks = spec.mocks.length ? await registerMocks(spec, rt, scope) : undefined;
  if (mocks?.error) {
    failed = true;
    halted = true;
    result.error = mocks.error;
  }
  const noteUnset = (s: StepSpec, r: StepResult | undefined, why: string) => {
    for (const t of s.group ? flatSteps([s]) : [s]) {
      if (!t.capture) continue;
      for (const name of Object.keys(t.capture)) {
        if (r && Object.prototype.hasOwnProperty.call(r.captures, name)) continue;
        (unset ??= new Map()).set(name, why);
        delete scope[name];
      }
    }
  };
  const skipAll = (s: StepSpec, phase: Phase, reason: string, iteration?: Iteration) => {
    for (const t of s.group ? flatSteps([s]) : [s]) record(labelled(skipped(t, phase, reason), iteration));
    if (unset || hasCaptures(s)) noteUnset(s, undefined, `step "${s.name}" was skipped (${reason})`);
  };
  const stopReason = (runtime: StepRuntime): string =>
    runtime.signal.aborted && !failed
      ? reasonOf(runtime.signal, timeout, timeoutMs)
      : 'an earlier step failed';
  const runOne = async (
    s: StepSpec,
    phase: Phase,
    runtime: StepRuntime,
    always: boolean,
    iteration?: Iteration,
  ) => {
    if (unset?.size) {
      for (const name of stepRoots(s)) {
        const why = unset.get(name);
        if (why !== undefined) return skipAll(s, phase, `needs "${name}", which ${why}`, iteration);
      }
    }
    const r = await runStep(s, phase, runtime);
    if (iteration) labelled(r, iteration);
    if (r.status === 'failed') {
      // A step cut short by the scenario's deadline, the run's deadline or Ctrl-C failed
      // because of that: say so on the step and make it the scenario's error. A poll stops
      // one interval before the deadline, hence the margin.
      const cut =
        !always && (runtime.signal.aborted || Date.now() + (s.poll?.intervalMs ?? 0) >= runtime.deadline);
      if (cut) {
        const why = runtime.signal.aborted
          ? reasonOf(runtime.signal, timeout, timeoutMs)
          : timedOut(timeoutMs);
        if (r.error && !r.error.message.includes(why))
          r.error = { ...r.error, message: `${r.error.message}: ${why}` };
        if (!failed) result.error = { message: why, location: spec.location };
      } else if (!failed && !result.error) result.error = r.error;
      failed = true;
      if (cut || !(s.flow?.continueOnFailure || (continues && phase === 'steps'))) halted = true;
      if (s.capture) noteUnset(s, r, `was not captured: step "${r.name}" failed`);
    } else if (r.status === 'skipped') {
      if (s.capture) noteUnset(s, r, `was not captured: step "${r.name}" was skipped (${r.skipReason})`);
    } else if (unset?.size) for (const name of Object.keys(r.captures)) unset.delete(name);
    record(r);
  };
  const runFlow = async (
    s: StepSpec,
    phase: Phase,
    runtime: StepRuntime,
    always: boolean,
    outer?: Iteration,
  ) => {
    const flow = s.flow!;
    const loop = flow.loop && !flow.loop.until ? flow.loop : undefined;
    // The step's condition or loop items could not be evaluated: the step fails without running.
    const failedBefore = (error: unknown, iteration: Iteration | undefined, what: string) => {
      const e = error as StepError;
      const r = labelled(skipped(s, phase, ''), iteration);
      delete r.skipReason;
      r.status = 'failed';
      r.error = { message: e.message, location: e.location };
      if (!failed && !result.error) result.error = r.error;
      failed = true;
      if (!(flow.continueOnFailure || (continues && phase === 'steps'))) halted = true;
      record(r);
      if (hasCaptures(s)) noteUnset(s, undefined, `was not captured: the ${what} of step "${s.name}" failed`);
    };
    const once = async (iteration?: Iteration) => {
      if (flow.when) {
        let holds: boolean;
        try {
          holds = conditionHolds(flow.when, stepScopeOf(s, runtime.scope));
        } catch (error) {
          return failedBefore(error, iteration, 'condition');
        }
        if (!holds) return skipAll(s, phase, conditionReason(flow.when), iteration);
      }
      if (s.group) await runPhase(phase, s.group, runtime, always, iteration);
      else await runOne(s, phase, runtime, always, iteration);
    };
    if (!loop) return once(outer);
    let items: number | unknown[];
    try {
      items = loopItems(loop, stepScopeOf(s, runtime.scope));
    } catch (error) {
      return failedBefore(error, outer, 'loop');
    }
    const count = typeof items === 'number' ? items : items.length;
    const saved = saveNames(scope, loop.as);
    const savedIterations = runtime.iterations;
    try {
      for (let i = 0; i < count; i++) {
        if ((halted || runtime.signal.aborted) && !always) break;
        const item = typeof items === 'number' ? i : items[i];
        scope[ITERATION] = i;
        if (loop.as !== undefined) scope[loop.as] = item;
        runtime.iterations = i + 1;
        const label = iterationLabel(loop, i, count, item);
        await once({ index: i, label: outer ? outer.label + label : label });
      }
    } finally {
      restoreNames(scope, saved);
      runtime.iterations = savedIterations;
    }
  };
  const runPhase = async (
    phase: Phase,
    steps: StepSpec[],
    runtime: StepRuntime,
    always = false,
    iteration?: Iteration,
  ) => {
    for (const s of steps) {
      if ((halted || runtime.signal.aborted) && !always) {
        skipAll(s, phase, stopReason(runtime), iteration);
        continue;
      }
      if (s.flow) await runFlow(s, phase, runtime, always, iteration);
      else await runOne(s, phase, runtime, always, iteration);
    }
  };
  await runPhase('setup', spec.setup, step);
  // A failed setup leaves nothing to test: the steps do not run, even with onFailure: continue.
  if (failed) halted = true;
  await runPhase('steps', spec.steps, step);
  if (!failed && signal.aborted) {
    failed = true;
    result.error = { message: reasonOf(signal, timeout, timeoutMs), location: spec.location };
  }
  const teardownDeadline = Date.now() + TEARDOWN_GRACE_MS;
  await runPhase(
    'teardown',
    spec.teardown,
    {
      ...step,
      signal: spec.teardown.length ? AbortSignal.timeout(TEARDOWN_GRACE_MS) : signal,
      deadline: teardownDeadline,
    },
    true,
  );
  if (mocks?.servers.length) {
    const unmatched = await unregisterMocks(spec, rt, mocks.servers);
    if (unmatched.length) result.unmatchedRequests = unmatched;
  }
  dispose();
  result.status = failed ? 'failed' : 'passed';
  result.durationMs = Math.round(performance.now() - t0);
  return result;
}

const timedOut = (timeoutMs: number): string => `scenario timed out after ${formatMs(timeoutMs)}`;

const reasonOf = (signal: AbortSignal, timeout: { aborted: boolean }, timeoutMs: number): string =>
  timeout.aborted
    ? timedOut(timeoutMs)
    : signal.reason instanceof Error
      ? signal.reason.message
      : 'interrupted';

/** The iteration of an enclosing `repeat:`/`forEach:`: its index and the label added to names. */
interface Iteration {
  index: number;
  label: string;
}

function labelled(r: StepResult, iteration: Iteration | undefined): StepResult {
  if (iteration) {
    r.name += iteration.label;
    r.iteration = iteration.index;
  }
  return r;
}

const hasCaptures = (s: StepSpec): boolean => {
  for (const t of s.group ? flatSteps([s]) : [s]) if (t.capture) return true;
  return false;
};

/** The loop's names as they were before it (a loop inside a loop restores the outer ones). */
function saveNames(scope: Scope, as: string | undefined): [string, boolean, unknown][] {
  return [ITERATION, ...(as === undefined ? [] : [as])].map((n) => [
    n,
    Object.prototype.hasOwnProperty.call(scope, n),
    scope[n],
  ]);
}

function restoreNames(scope: Scope, saved: [string, boolean, unknown][]): void {
  for (const [n, had, value] of saved) {
    if (had) scope[n] = value;
    else delete scope[n];
  }
}

/** A scenario's `when:` and templated `skip:`, in its scope: a reason to skip, or a located failure. */
function preconditions(
  spec: ScenarioSpec,
  scope: Scope,
): { skipped?: string; failed?: { message: string; location?: Location } } | undefined {
  // A plain `skip:` was applied before the scenario started; a templated one needs its scope.
  if (spec.skip?.includes('{{')) {
    try {
      const v = renderValue(spec.skip, scope);
      if (v === true) return { skipped: 'skipped' };
      if (v !== false && v !== null && v !== undefined && v !== '') return { skipped: String(v) };
    } catch (error) {
      return { failed: { message: `skip: ${(error as Error).message}`, location: spec.location } };
    }
  }
  if (spec.when) {
    try {
      if (!conditionHolds(spec.when, scope)) return { skipped: conditionReason(spec.when) };
    } catch (error) {
      const e = error as StepError;
      return { failed: { message: e.message, location: e.location } };
    }
  }
  return undefined;
}

function skipped(s: StepSpec, phase: Phase, reason: string): StepResult {
  return {
    name: s.name,
    kind: s.kind,
    phase,
    status: 'skipped',
    skipReason: reason,
    location: s.location,
    ...(s.includedFrom ? { includedFrom: s.includedFrom } : {}),
    startedAt: new Date().toISOString(),
    durationMs: 0,
    attempts: 0,
    assertions: [],
    captures: {},
  };
}

async function registerMocks(spec: ScenarioSpec, rt: ScenarioRuntime, scope: Scope) {
  const { getMockDrivers, pickDriver } = await import('../mock/index.js');
  const servers: string[] = [];
  try {
    const drivers = await getMockDrivers(rt.resources);
    const byServer = new Map<string, typeof spec.mocks>();
    for (const m of spec.mocks) byServer.set(m.server, [...(byServer.get(m.server) ?? []), m]);
    for (const [server, list] of byServer) {
      let driver;
      try {
        driver = pickDriver(drivers, server);
      } catch (error) {
        return {
          servers,
          error: { message: `mock "${list[0].id}": ${(error as Error).message}`, location: list[0].location },
        };
      }
      await driver.register(spec.id, list, (value, extra) =>
        renderValue(value, extra ? { ...scope, ...extra } : scope),
      );
      servers.push(server);
    }
  } catch (error) {
    return { servers, error: { message: (error as Error).message, location: spec.mocks[0].location } };
  }
  return { servers };
}

async function unregisterMocks(
  spec: ScenarioSpec,
  rt: ScenarioRuntime,
  servers: string[],
): Promise<unknown[]> {
  const { getMockDrivers } = await import('../mock/index.js');
  const drivers = await getMockDrivers(rt.resources);
  const unmatched: unknown[] = [];
  for (const server of servers) {
    try {
      const r = await drivers[server].unregister(spec.id);
      unmatched.push(...r.unmatched.map((u) => ({ server, ...(u as object) })));
    } catch (error) {
      unmatched.push({ server, error: (error as Error).message });
    }
  }
  return unmatched;
}

/** Mock servers a scenario talks to (its expectations and verify steps): it holds their locks. */
export function mockServersOf(spec: ScenarioSpec): string[] {
  const servers = new Set(spec.mocks.map((m) => m.server));
  for (const s of flatSteps([...spec.setup, ...spec.steps, ...spec.teardown])) {
    for (const server of stepKinds[s.kind]?.mockServers?.(s.config, spec) ?? []) servers.add(server);
  }
  return [...servers];
}
