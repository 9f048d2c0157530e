import path from 'node:path';
import { varsFromEnvironment } from '../../config/dotenv.js';
import type { ProjectConfig } from '../../config/project-config.js';
import { ExitCode, UsageError } from '../../errors.js';
import { executeRun } from '../../engine/run.js';
import { plan } from '../../engine/plan.js';
import { installInterruptHandler } from '../../engine/signals.js';
import { Multiplexer } from '../../report/multiplexer.js';
import { loadReporters } from '../../report/registry.js';
import { printReportFiles, reportFilesSince, snapshotReportFiles } from '../../report/written-files.js';
import type { RunResult, Screen } from '../../types.js';
import { MAX_DURATION_MS, parseDurationExact } from '../../util/time.js';
import { version } from '../../util/version.js';
import { commandInputs, prepare, projectContext } from './prepare.js';
import { minRateVerdict } from '../../engine/totals.js';
import { ensureDir } from '../../util/files.js';

export function parseVars(raw: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of raw) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`invalid --var "${item}": expected name=value`);
    out[item.slice(0, eq).trim()] = item.slice(eq + 1);
  }
  return out;
}

const positiveInt = (value: unknown, flag: string, min = 1): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`invalid ${flag} "${String(value)}": expected a whole number >= ${min}`);
  return n;
};

const duration = (value: unknown, flag: string): number | undefined => {
  if (value === undefined) return undefined;
  const ms = parseDurationExact(String(value));
  if (ms === undefined)
    throw new UsageError(`invalid ${flag} "${String(value)}": expected a duration such as 30s or 2m`);
  if (ms > MAX_DURATION_MS)
    throw new UsageError(
      `invalid ${flag} "${String(value)}": longer than the longest supported duration, 596h (about 24.8 days, the limit of a Node.js timer)`,
    );
  return ms;
};

/** Everything `flowrun [paths..]` needs, after the flags, the config file and the defaults met. */
export interface RunSettings {
  paths: string[];
  env: string[];
  reporters: string[];
  outDir: string;
  concurrency: number;
  retries?: number;
  scenarioTimeoutMs?: number;
  runTimeoutMs?: number;
  matrix?: string;
  minSuccessRate?: number;
  overrides: Record<string, unknown>;
}

/**
 * Resolves the settings of a run. Precedence, highest first: command-line flags, then
 * flowrun.config.yaml, then built-in defaults. Variables: --var, then FLOWRUN_VAR_<name> from
 * the process environment, then from .env (loaded beforehand, never replacing what is set),
 * then the environment file's vars.
 */
export function resolveSettings(
  paths: string[],
  o: Record<string, unknown>,
  config: ProjectConfig,
  cwd: string,
  list: (v: unknown) => string[],
): RunSettings {
  const from = config.file ? ` (in ${config.file})` : '';
  const overrides = {
    ...varsFromEnvironment(),
    ...parseVars((Array.isArray(o.var) ? o.var : o.var === undefined ? [] : [o.var]).map(String)),
  };
  const minRaw = o.minSuccessRate ?? config.minSuccessRate;
  const minSuccessRate = minRaw === undefined ? undefined : Number(minRaw);
  if (minSuccessRate !== undefined && !(minSuccessRate >= 0 && minSuccessRate <= 100)) {
    throw new UsageError(
      `invalid --min-success-rate "${String(minRaw)}": expected a percentage from 0 to 100`,
    );
  }
  return {
    ...commandInputs(paths, o, config, list),
    reporters: o.reporter !== undefined ? list(o.reporter) : (config.reporters ?? ['console', 'json']),
    outDir: path.resolve(cwd, String(o.out ?? config.out ?? 'reports')),
    concurrency:
      positiveInt(o.concurrency, '--concurrency') ??
      positiveInt(config.concurrency, `concurrency${from}`) ??
      1,
    retries: positiveInt(o.retries, '--retries', 0) ?? positiveInt(config.retries, `retries${from}`, 0),
    scenarioTimeoutMs: duration(o.timeout, '--timeout') ?? duration(config.timeout, `timeout${from}`),
    runTimeoutMs: duration(o.runTimeout, '--run-timeout') ?? duration(config.runTimeout, `runTimeout${from}`),
    minSuccessRate,
    overrides,
  };
}

/** `flowrun [paths..]`: load, select, run, report; returns the exit code. */
export async function runCommand(
  paths: string[],
  o: Record<string, unknown>,
  screen: Screen,
  list: (v: unknown) => string[],
): Promise<number> {
  const { cwd, config } = await projectContext(o);
  const settings = resolveSettings(paths, o, config, cwd, list);
  const { overrides, outDir, concurrency, retries, scenarioTimeoutMs, runTimeoutMs } = settings;
  const minRate = settings.minSuccessRate;
  const reporterNames = [...settings.reporters];
  if (process.env.GITHUB_ACTIONS === 'true' && !reporterNames.includes('github'))
    reporterNames.push('github');

  const prepared = await prepare(
    settings.paths,
    { env: settings.env, matrix: settings.matrix, overrides, contract: config.contract },
    screen,
    cwd,
  );
  if (!prepared) return ExitCode.invalidInput;
  const selected = plan(prepared.loaded.scenarios, {
    tag: o.tag as string,
    grep: o.grep as string,
    shard: o.shard as string,
  });
  if (selected.length === 0 && !o.shard) {
    screen.err(
      `no scenario matched${o.tag ? ` --tag "${String(o.tag)}"` : ''}${o.grep ? ` --grep "${String(o.grep)}"` : ''} in ${prepared.loaded.files} file(s)`,
    );
    return ExitCode.invalidInput;
  }
  await reportFolder(outDir);
  const minApi = percentOption(o.minApiCoverage, '--min-api-coverage');
  const reporters = await loadReporters(reporterNames, {
    outDir,
    cwd,
    screen,
    apiCoverageList: o.coverage === true,
    matrixFile: prepared.matrixFile ? path.resolve(cwd, prepared.matrixFile) : undefined,
  });
  const mux = new Multiplexer(reporters);
  const interrupt = installInterruptHandler(screen);
  const reportsBefore = snapshotReportFiles(path.resolve(cwd, outDir));
  let result: RunResult;
  try {
    result = await executeRun(selected, prepared.environments, mux, {
      cwd,
      outDir,
      concurrency,
      bail: o.bail === true,
      overrides,
      allowWrites: o.allowWrites === true,
      exchanges: exchangesOption(o.exchanges),
      onNotice: (message) => screen.err(`note: ${message}`),
      retries,
      continueOnFailure: config.onFailure === 'continue',
      scenarioTimeoutMs,
      runTimeoutMs,
      signal: interrupt.signal,
      version: version(),
    });
    // Reporters that failed during the run are errors of the run.
    result.errors.push(...mux.errors);
    const before = mux.errors.length;
    await mux.onEnd(result);
    // Reporters that failed while writing their files: the run's result is still what it was.
    for (const e of mux.errors.slice(before)) screen.err(`error: ${e.message}`);
    if (reporterNames.includes('console'))
      printReportFiles(screen, reportFilesSince(path.resolve(cwd, outDir), cwd, reportsBefore), cwd);
  } finally {
    interrupt.dispose();
  }
  const code = exitCode(result, minRate, screen);
  return code === ExitCode.ok ? await apiCoverageGate(result, minApi, screen) : code;
}

export function percentOption(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n >= 0 && n <= 100))
    throw new UsageError(`invalid ${flag} "${String(value)}": expected a percentage from 0 to 100`);
  return n;
}

/** `--min-api-coverage`: below the threshold the run fails (exit 1), and says by how much. */
export async function apiCoverageGate(
  result: RunResult,
  min: number | undefined,
  screen: Screen,
): Promise<number> {
  if (min === undefined) return ExitCode.ok;
  if (!result.api?.specs.length) {
    screen.err('error: --min-api-coverage needs an OpenAPI document: no environment names one (openapi:)');
    return ExitCode.invalidInput;
  }
  const { overallPercent } = await import('../../contract/coverage.js');
  const percent = overallPercent(result.api);
  if (percent >= min) return ExitCode.ok;
  screen.err(`API coverage ${percent.toFixed(2)}% is below --min-api-coverage ${min}%`);
  return ExitCode.failed;
}

/** The report folder, created before anything runs: a folder that cannot exist fails at once. */
export async function reportFolder(outDir: string): Promise<void> {
  try {
    await ensureDir(outDir);
  } catch (error) {
    throw new UsageError(`cannot write reports to ${outDir} (-o): ${(error as Error).message}`);
  }
}

export function exitCode(result: RunResult, minSuccessRate?: number, screen?: Screen): number {
  if (result.interrupted) return ExitCode.interrupted;
  if (result.errors.some((e) => (e as { code?: string }).code !== undefined)) return ExitCode.invalidInput;
  const verdict = minRateVerdict(result.totals, result.successRate, minSuccessRate);
  if (verdict.message) screen?.err(`note: ${verdict.message}`);
  return verdict.passes ? ExitCode.ok : ExitCode.failed;
}

function exchangesOption(value: unknown): 'all' | 'failed' | undefined {
  if (value === undefined) return undefined;
  if (value === 'all' || value === 'failed') return value;
  throw new UsageError(`invalid --exchanges "${String(value)}": expected all or failed`);
}
