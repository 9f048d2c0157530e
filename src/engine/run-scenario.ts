import type { ResolvedEnvironment } from '../model/environment.js';
import type { Contract } from '../contract/check.js';
import { stepKinds } from '../steps/registry.js';
import { hasTemplate, renderValue, renderValueAsync, type Scope } from '../template/render.js';
import type { Phase, ScenarioResult, ScenarioSpec, StepResult, StepSpec } from '../types.js';
import type { Resources } from '../util/resources.js';
import { onAbort } from '../util/abort.js';
import { formatMs } from '../util/time.js';
import { runStep, type StepRuntime } from './run-step.js';

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
  const mocks = spec.mocks.length ? await registerMocks(spec, rt, scope) : undefined;
  if (mocks?.error) {
    failed = true;
    result.error = mocks.error;
  }
  const runPhase = async (phase: Phase, steps: StepSpec[], runtime: StepRuntime, always = false) => {
    for (const s of steps) {
      if ((failed && !always) || (runtime.signal.aborted && !always)) {
        record(
          skipped(
            s,
            phase,
            runtime.signal.aborted && !failed
              ? reasonOf(runtime.signal, timeout, timeoutMs)
              : 'an earlier step failed',
          ),
        );
        continue;
      }
      const r = await runStep(s, phase, runtime);
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
      }
      record(r);
    }
  };
  await runPhase('setup', spec.setup, step);
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
  for (const s of [...spec.setup, ...spec.steps, ...spec.teardown]) {
    for (const server of stepKinds[s.kind]?.mockServers?.(s.config, spec) ?? []) servers.add(server);
  }
  return [...servers];
}
