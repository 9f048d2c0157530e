import path from 'node:path';
import { ExitCode, UsageError } from '../../errors.js';
import { executeRun } from '../../engine/run.js';
import { plan } from '../../engine/plan.js';
import { installInterruptHandler } from '../../engine/signals.js';
import { Multiplexer } from '../../report/multiplexer.js';
import { loadReporters } from '../../report/registry.js';
import type { RunResult, Screen } from '../../types.js';
import { parseDuration } from '../../util/duration.js';
import { version } from '../main.js';
import { prepare } from './prepare.js';

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
  const ms = parseDuration(String(value));
  if (ms === undefined)
    throw new UsageError(`invalid ${flag} "${String(value)}": expected a duration such as 30s or 2m`);
  return ms;
};

/** `flowrun [paths..]`: load, select, run, report; returns the exit code. */
export async function runCommand(
  paths: string[],
  o: Record<string, unknown>,
  screen: Screen,
  list: (v: unknown) => string[],
): Promise<number> {
  const cwd = process.cwd();
  const overrides = parseVars(
    (Array.isArray(o.var) ? o.var : o.var === undefined ? [] : [o.var]).map(String),
  );
  const concurrency = positiveInt(o.concurrency, '--concurrency') ?? 1;
  const retries = positiveInt(o.retries, '--retries', 0);
  const minRate = o.minSuccessRate === undefined ? undefined : Number(o.minSuccessRate);
  if (minRate !== undefined && !(minRate >= 0 && minRate <= 100)) {
    throw new UsageError(
      `invalid --min-success-rate "${String(o.minSuccessRate)}": expected a percentage from 0 to 100`,
    );
  }
  const scenarioTimeoutMs = duration(o.timeout, '--timeout');
  const runTimeoutMs = duration(o.runTimeout, '--run-timeout');
  const outDir = path.resolve(cwd, String(o.out ?? 'reports'));
  const reporterNames = list(o.reporter);
  if (process.env.GITHUB_ACTIONS === 'true' && !reporterNames.includes('github'))
    reporterNames.push('github');

  const prepared = await prepare(
    paths,
    { env: list(o.env), matrix: o.matrix as string | undefined, overrides },
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
  const reporters = await loadReporters(reporterNames, {
    outDir,
    cwd,
    screen,
    matrixFile: prepared.matrixFile ? path.resolve(cwd, prepared.matrixFile) : undefined,
  });
  const mux = new Multiplexer(reporters);
  const interrupt = installInterruptHandler(screen);
  let result: RunResult;
  try {
    result = await executeRun(selected, prepared.environments, mux, {
      cwd,
      outDir,
      concurrency,
      bail: o.bail === true,
      overrides,
      allowWrites: o.allowWrites === true,
      retries,
      scenarioTimeoutMs,
      runTimeoutMs,
      signal: interrupt.signal,
      version: version(),
    });
    const before = mux.errors.length;
    await mux.end(result);
    // Reporters that failed while writing their files: the run's result is still what it was.
    for (const e of mux.errors.slice(before)) screen.err(`error: ${e.message}`);
  } finally {
    interrupt.dispose();
  }
  return exitCode(result, minRate);
}

export function exitCode(result: RunResult, minSuccessRate?: number): number {
  if (result.interrupted) return ExitCode.interrupted;
  if (result.errors.some((e) => (e as { code?: string }).code !== undefined)) return ExitCode.invalidInput;
  if (result.totals.failed === 0) return ExitCode.ok;
  if (minSuccessRate !== undefined && result.successRate >= minSuccessRate) return ExitCode.ok;
  return ExitCode.failed;
}
