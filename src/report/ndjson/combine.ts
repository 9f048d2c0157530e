import { apiCoverage, catalogsOf } from '../../contract/coverage.js';
import { LoadError } from '../../errors.js';
import type { RunInfo, RunResult, ScenarioResult } from '../../types.js';
import { countStatuses, endOf, successRate } from '../replay.js';
import type { RunEvent } from './events.js';

export interface ShardRun {
  /** Where the events came from (shown in errors). */
  file: string;
  events: RunEvent[];
}

/**
 * Combines the event streams of several runs (shards of one suite, or one suite per machine)
 * into the events of a single run: scenario events in shard order; a begin line with the
 * earliest start, the union of environments and the sum of planned scenarios; an end line whose
 * totals and success rate are recomputed and whose duration is the wall time from the first
 * start to the last end. The same scenario in the same environment twice is refused, since it
 * would be counted twice.
 */
export function combineRuns(runs: ShardRun[], where: { outDir: string; cwd: string }): RunEvent[] {
  const seen = new Map<string, string>();
  const body: RunEvent[] = [];
  const scenarios: ScenarioResult[] = [];
  const infos: RunInfo[] = [];
  const ends: Extract<RunEvent, { type: 'end' }>['result'][] = [];
  const errors: RunResult['errors'] = [];
  for (const run of runs) {
    let ended = false;
    for (const event of run.events) {
      if (event.type === 'begin') infos.push(event.info);
      else if (event.type === 'end') {
        ends.push(event.result);
        ended = true;
      } else {
        if (event.type === 'scenarioEnd') {
          const key = `${event.result.environment}\u0000${event.result.id}`;
          const other = seen.get(key);
          if (other !== undefined) {
            throw new LoadError(
              `scenario "${event.result.name}" [${event.result.environment}] is in both ${other} and ${run.file}`,
              { code: 'E_MERGE', hint: 'merge the results of distinct shards (--shard i/n) of one suite' },
            );
          }
          seen.set(key, run.file);
          scenarios.push(event.result);
        }
        if (event.type === 'error') errors.push(event.error);
        body.push(event);
      }
    }
    if (!ended) {
      const error = {
        message: `${run.file}: the run did not finish (no end event); its results are incomplete`,
      };
      errors.push(error);
      body.push({ type: 'error', error });
      ends.push({ interrupted: true } as Extract<RunEvent, { type: 'end' }>['result']);
    }
  }
  const environments = [
    ...new Set([...infos.flatMap((i) => i.environments), ...scenarios.map((s) => s.environment)]),
  ];
  const starts = [
    ...infos.map((i) => Date.parse(i.startedAt)),
    ...scenarios.map((s) => Date.parse(s.startedAt)),
  ];
  const finishes = [
    ...ends.filter((e) => e.endedAt).map((e) => Date.parse(e.endedAt)),
    ...scenarios.map(endOf),
  ];
  const start = starts.length ? Math.min(...starts) : Date.now();
  const finish = finishes.length ? Math.max(...finishes) : start;
  const runId = [...new Set(infos.map((i) => i.runId))].join('+') || 'merged';
  const totals = countStatuses(scenarios);
  const order = (s: ScenarioResult) => environments.indexOf(s.environment);
  const sorted = [...scenarios].sort(
    (a, b) =>
      order(a) - order(b) ||
      a.file.localeCompare(b.file) ||
      a.location.line - b.location.line ||
      a.id.localeCompare(b.id),
  );
  // API coverage is recounted from the steps of every shard against the union of the documents.
  const catalogs = ends.flatMap((e) => catalogsOf(e.api));
  const begin: RunEvent = {
    type: 'begin',
    info: {
      runId,
      startedAt: new Date(start).toISOString(),
      environments,
      total: infos.reduce((n, i) => n + i.total, 0),
      outDir: where.outDir,
      cwd: where.cwd,
    },
  };
  const end: RunEvent = {
    type: 'end',
    result: {
      runId,
      flowrunVersion: ends.find((e) => e.flowrunVersion)?.flowrunVersion ?? 'unknown',
      startedAt: new Date(start).toISOString(),
      endedAt: new Date(finish).toISOString(),
      durationMs: finish - start,
      environments,
      totals,
      successRate: successRate(totals),
      interrupted: ends.some((e) => e.interrupted),
      scenarios: sorted,
      errors,
      ...(catalogs.length ? { api: apiCoverage(catalogs, sorted) } : {}),
    },
  };
  return [begin, ...body, end];
}
