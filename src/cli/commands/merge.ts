import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadProjectConfig } from '../../config/project-config.js';
import { ExitCode, UsageError } from '../../errors.js';
import { combineRuns, type ShardRun } from '../../report/ndjson/combine.js';
import { NDJSON_FILE } from '../../report/ndjson/index.js';
import { readRunEvents } from '../../report/ndjson/read.js';
import { loadReporters } from '../../report/registry.js';
import { replay } from '../../report/replay.js';
import { printReportFiles, reportFilesSince, snapshotReportFiles } from '../../report/written-files.js';
import type { Screen } from '../../types.js';
import { displayName } from '../../scenario/normalize.js';
import { DEFAULT_MATRIX } from './prepare.js';
import { minRateVerdict } from '../../engine/totals.js';
import { apiCoverageGate, percentOption, reportFolder } from './run.js';

/** A folder given to merge stands for the report it holds: flowrun.ndjson, else flowrun.json. */
function resolveInput(arg: string, cwd: string): string {
  const abs = path.resolve(cwd, arg);
  if (!existsSync(abs))
    throw new UsageError(
      `no such report: ${arg}`,
      'pass flowrun.ndjson or flowrun.json files of the shards (or their report folders)',
    );
  if (!statSync(abs).isDirectory()) return abs;
  for (const name of [NDJSON_FILE, 'flowrun.json']) {
    if (existsSync(path.join(abs, name))) return path.join(abs, name);
  }
  throw new UsageError(
    `${arg} holds neither ${NDJSON_FILE} nor flowrun.json`,
    'run the shards with -r ndjson (or json)',
  );
}

/**
 * `flowrun merge <reports..>`: replays the results of several shards into the requested
 * reporters as one run. Exit code as for a run: 0 all passed (or --min-success-rate met), 1 a
 * scenario failed or a shard was interrupted, 2 unreadable input.
 */
export async function mergeCommand(
  inputs: string[],
  o: Record<string, unknown>,
  screen: Screen,
  list: (v: unknown) => string[],
): Promise<number> {
  const cwd = process.cwd();
  const config = await loadProjectConfig(cwd, o.config as string | undefined);
  const outDir = path.resolve(cwd, String(o.out ?? config.out ?? 'reports'));
  const reporterNames =
    o.reporter !== undefined ? list(o.reporter) : (config.reporters ?? ['console', 'json']);
  const minRaw = o.minSuccessRate ?? config.minSuccessRate;
  const minRate = minRaw === undefined ? undefined : Number(minRaw);
  if (minRate !== undefined && !(minRate >= 0 && minRate <= 100))
    throw new UsageError(
      `invalid --min-success-rate "${String(minRaw)}": expected a percentage from 0 to 100`,
    );
  const files = [...new Set(inputs.map((i) => resolveInput(i, cwd)))];
  const runs: ShardRun[] = [];
  for (const abs of files) {
    const file = displayName(cwd, abs);
    runs.push({ file, events: await readRunEvents(abs, file) });
  }
  await reportFolder(outDir);
  const events = combineRuns(runs, { outDir, cwd });
  const matrix =
    (o.matrix as string | undefined) ??
    config.matrix ??
    (existsSync(path.join(cwd, DEFAULT_MATRIX)) ? DEFAULT_MATRIX : undefined);
  const minApi = percentOption(o.minApiCoverage, '--min-api-coverage');
  const reporters = await loadReporters(reporterNames, {
    outDir,
    cwd,
    screen,
    apiCoverageList: o.coverage === true,
    matrixFile: matrix ? path.resolve(cwd, matrix) : undefined,
  });
  const reportsBefore = snapshotReportFiles(outDir);
  const { result, reporterErrors } = await replay(events, reporters);
  for (const e of reporterErrors) screen.err(`error: ${e.message}`);
  if (reporterNames.includes('console'))
    printReportFiles(screen, reportFilesSince(outDir, cwd, reportsBefore), cwd);
  screen.err(
    `merged ${runs.length} result file${runs.length === 1 ? '' : 's'}: ${runs.map((r) => r.file).join(', ')}`,
  );
  if (result.interrupted) {
    screen.err('a shard was interrupted or did not finish: the merged results are incomplete');
    return ExitCode.failed;
  }
  const verdict = minRateVerdict(result.totals, result.successRate, minRate);
  if (verdict.message) screen.err(`note: ${verdict.message}`);
  if (!verdict.passes) return ExitCode.failed;
  return apiCoverageGate(result, minApi, screen);
}
