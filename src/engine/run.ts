import { randomUUID } from 'node:crypto';
import type { EnvironmentSource, ResolvedEnvironment } from '../model/environment.js';
import { activateEnvironment } from './environment.js';
import { FlowrunError } from '../errors.js';
import type { Contract } from '../contract/check.js';
import type { ApiCatalog } from '../contract/coverage.js';
import type { Location, Reporter, RunResult, ScenarioResult, ScenarioSpec, Totals } from '../types.js';
import { formatMs } from '../util/time.js';
import { RunEvents } from './events.js';
import { Locks } from './locks.js';
import { Resources } from '../util/resources.js';
import { mockServersOf, runScenario } from './run-scenario.js';

/** Runs of more scenario instances keep request/response details only for failed steps. */
export const EXCHANGES_ALL_UP_TO = 500;
const scenariosPlanned = (o: RunOptions): number => o.planned ?? 0;

export interface RunOptions {
  /** Non-fatal news for the terminal (an optional service that could not start). */
  onNotice?: (message: string) => void;
  /** Request/response details to keep: all steps, or failed steps only (default: by run size). */
  exchanges?: 'all' | 'failed';
  /** Scenario instances × environments (set by executeRun). */
  planned?: number;
  cwd: string;
  outDir: string;
  concurrency: number;
  bail?: boolean;
  overrides: Record<string, unknown>;
  allowWrites?: boolean;
  retries?: number;
  /** `onFailure: continue` from flowrun.config.yaml: later steps run after a failed step. */
  continueOnFailure?: boolean;
  /** Default per-scenario deadline. */
  scenarioTimeoutMs?: number;
  /** Deadline for the whole run. */
  runTimeoutMs?: number;
  /** Aborted on Ctrl-C / SIGTERM. */
  signal: AbortSignal;
  runId?: string;
  version: string;
  /**
   * Watch mode: environments activated once and kept (services, mock servers, connections) across
   * runs, by name. executeRun fills it and leaves them running; the caller closes them.
   */
  keptEnvironments?: Map<string, KeptEnvironment>;
}

/** An activated environment with the resources it started. */
export interface KeptEnvironment {
  env: ResolvedEnvironment;
  resources: Resources;
}

/**
 * Runs every scenario against every environment, in order of environments; returns the run's
 * result. Events go to `reporter` (the multiplexer of the configured reporters), masked.
 */
export async function executeRun(
  scenarios: ScenarioSpec[],
  environments: EnvironmentSource[],
  reporter: Reporter,
  options: RunOptions,
): Promise<RunResult> {
  const mux = new RunEvents(reporter);
  const runId = options.runId ?? randomUUID().slice(0, 8);
  options = { ...options, planned: scenarios.length * environments.length };
  const startedAt = new Date();
  const results: ScenarioResult[] = [];
  const errors: { message: string; location?: Location }[] = [];
  const catalogs: ApiCatalog[] = [];
  // Our own timer rather than AbortSignal.timeout: its reason names the flag in every skip reason.
  const runDeadline = new AbortController();
  const runTimer = options.runTimeoutMs
    ? setTimeout(
        () =>
          runDeadline.abort(
            new Error(`the run timed out after ${formatMs(options.runTimeoutMs!)} (--run-timeout)`),
          ),
        options.runTimeoutMs,
      )
    : undefined;
  const runSignal = runTimer ? AbortSignal.any([options.signal, runDeadline.signal]) : options.signal;
  await mux.begin({
    runId,
    startedAt: startedAt.toISOString(),
    environments: environments.map((e) => e.name),
    total: scenarios.length * environments.length,
    outDir: options.outDir,
    cwd: options.cwd,
  });
  for (const envSource of environments) {
    const kept = options.keptEnvironments?.get(envSource.name);
    const resources = kept?.resources ?? new Resources();
    let env: ResolvedEnvironment | undefined;
    let keep = false;
    try {
      if (!runSignal.aborted) {
        env = kept?.env;
        env ??= await activateEnvironment(envSource, {
          runId,
          cwd: options.cwd,
          outDir: options.outDir,
          resources,
          signal: runSignal,
          overrides: options.overrides,
          onNotice: options.onNotice,
        });
        if (options.keptEnvironments) {
          options.keptEnvironments.set(envSource.name, { env, resources });
          keep = true;
        }
        mux.addSecrets(Object.values(env.secrets));
        // The contract module is loaded only when an environment names an OpenAPI document.
        let contract: Contract | undefined;
        if (env.contract) {
          const { loadContract } = await import('../contract/index.js');
          contract = await loadContract(env.contract, env.baseUrl);
          catalogs.push({
            spec: contract.spec.spec,
            title: contract.spec.title,
            openapi: contract.spec.openapi,
            operations: contract.catalog(),
          });
        }
        results.push(
          ...(await runEnvironment(scenarios, {
            env,
            resources,
            mux,
            options,
            runId,
            signal: runSignal,
            contract,
          })),
        );
      }
    } catch (error) {
      const e = error as FlowrunError;
      errors.push(mux.error({ message: e.message, location: e.location, code: e.code, hint: e.hint }));
    } finally {
      for (const e of keep ? [] : await resources.close()) {
        errors.push(mux.error({ message: `closing ${e.name}: ${e.error.message}` }));
      }
    }
    if (!env) {
      const reason = runSignal.aborted
        ? notRunReason(runSignal)
        : `environment "${envSource.name}" could not be prepared`;
      for (const s of scenarios) results.push(mux.scenarioEnd(skippedResult(s, envSource.name, reason)));
    }
  }
  clearTimeout(runTimer);
  const endedAt = new Date();
  const totals = count(results);
  const ran = totals.scenarios - totals.skipped;
  const api = catalogs.length
    ? (await import('../contract/coverage.js')).apiCoverage(catalogs, results)
    : undefined;
  return {
    runId,
    flowrunVersion: options.version,
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    durationMs: endedAt.getTime() - startedAt.getTime(),
    environments: environments.map((e) => e.name),
    totals,
    successRate: ran === 0 ? 100 : Math.round(((totals.passed + totals.flaky) / ran) * 10_000) / 100,
    interrupted: options.signal.aborted,
    scenarios: results,
    errors,
    ...(api ? { api } : {}),
  };
}

const notRunReason = (signal: AbortSignal): string =>
  `not run: ${signal.reason instanceof Error ? signal.reason.message : 'interrupted'}`;

/** What every scenario of one environment runs with. */
interface EnvironmentRun {
  env: ResolvedEnvironment;
  resources: Resources;
  mux: RunEvents;
  options: RunOptions;
  runId: string;
  signal: AbortSignal;
  /** The OpenAPI contract of the environment, when it names one. */
  contract?: Contract;
}

async function runEnvironment(scenarios: ScenarioSpec[], run: EnvironmentRun): Promise<ScenarioResult[]> {
  const { env, mux, options, signal } = run;
  const results: ScenarioResult[] = new Array(scenarios.length);
  const locks = new Locks();
  let next = 0;
  let bailed = false;
  const worker = async () => {
    while (next < scenarios.length) {
      const index = next++;
      const spec = scenarios[index];
      const why = signal.aborted
        ? notRunReason(signal)
        : bailed
          ? 'not run: --bail after a failure'
          : skipReason(spec, env, options);
      if (why) {
        results[index] = mux.scenarioEnd(skippedResult(spec, env.name, why));
        continue;
      }
      mux.scenarioBegin({ id: spec.id, name: spec.name, environment: env.name, file: spec.file });
      const servers = mockServersOf(spec);
      const release = servers.length ? await locks.acquire(servers.map((s) => `mock:${s}`)) : undefined;
      let result: ScenarioResult;
      try {
        result = await runWithRetries(spec, run);
      } finally {
        release?.();
      }
      if (result.status === 'failed' && options.bail) bailed = true;
      results[index] = mux.scenarioEnd(result);
    }
  };
  const n = Math.max(1, Math.min(options.concurrency, scenarios.length));
  await Promise.all(Array.from({ length: n }, worker));
  return results;
}

async function runWithRetries(spec: ScenarioSpec, run: EnvironmentRun): Promise<ScenarioResult> {
  const { env, resources, mux, options, runId, signal, contract } = run;
  const retries = spec.retries ?? options.retries ?? 0;
  let result!: ScenarioResult;
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    result = await runScenario(spec, {
      environment: env,
      resources,
      runId,
      overrides: options.overrides,
      signal,
      contract,
      defaultTimeoutMs: options.scenarioTimeoutMs,
      continueOnFailure: options.continueOnFailure,
      exchanges: options.exchanges ?? (scenariosPlanned(options) > EXCHANGES_ALL_UP_TO ? 'failed' : 'all'),
      onStepEnd: (step) => mux.stepEnd({ id: spec.id, environment: env.name }, step),
      onSecret: (value) => mux.addSecrets([value]),
    });
    result.attempts = attempt;
    if (result.status !== 'failed' || signal.aborted) break;
  }
  if (result.status === 'passed' && result.attempts > 1) result.status = 'flaky';
  return result;
}

/** Why a scenario does not apply to this environment (reported as skipped, never silently dropped). */
function skipReason(spec: ScenarioSpec, env: ResolvedEnvironment, options: RunOptions): string | undefined {
  if (spec.skip && !spec.skip.includes('{{')) return spec.skip;
  for (const r of spec.requires ?? []) {
    const why = env.unavailable?.[r];
    if (why) return `needs ${r}, which is not available: ${why}`;
  }
  if (spec.only && !spec.only.includes(env.name))
    return `applies only to environments: ${spec.only.join(', ')}`;
  if (spec.writes && env.protected && !options.allowWrites) {
    return `writes data and environment "${env.name}" is protected (use --allow-writes to run it)`;
  }
  return undefined;
}

export function skippedResult(spec: ScenarioSpec, environment: string, reason: string): ScenarioResult {
  return {
    id: spec.id,
    name: spec.name,
    file: spec.file,
    location: spec.location,
    environment,
    tags: spec.tags,
    covers: spec.covers,
    parameters: spec.parameters,
    status: 'skipped',
    skipReason: reason,
    startedAt: new Date().toISOString(),
    durationMs: 0,
    attempts: 0,
    steps: [],
  };
}

export function count(results: ScenarioResult[]): Totals {
  const t: Totals = { scenarios: results.length, passed: 0, failed: 0, skipped: 0, flaky: 0 };
  for (const r of results) t[r.status]++;
  return t;
}
