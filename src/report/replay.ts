import type { Reporter, RunInfo, RunResult, ScenarioResult, Totals } from '../types.js';
import { Multiplexer } from './multiplexer.js';
import type { RunEvent } from './ndjson/events.js';

export type { RunEvent } from './ndjson/events.js';

export interface ReplayOutcome {
  /** The run result handed to `onEnd` (rebuilt from the events when the end line is missing). */
  result: RunResult;
  /** Reporters that threw, as run errors (a throwing reporter never stops the others). */
  reporterErrors: { message: string }[];
}

/**
 * Feeds the events of one run (as written by the ndjson reporter, or combined from shards by
 * `combineRuns`) to reporters, in order, as if the run were happening now. Events are already
 * masked, so nothing is masked again.
 */
export async function replay(events: Iterable<RunEvent>, reporters: Reporter[]): Promise<ReplayOutcome> {
  const mux = new Multiplexer(reporters);
  let info: RunInfo | undefined;
  const scenarios: ScenarioResult[] = [];
  const errors: RunResult['errors'] = [];
  let end: Extract<RunEvent, { type: 'end' }>['result'] | undefined;
  for (const event of events) {
    switch (event.type) {
      case 'begin':
        info = event.info;
        await mux.onBegin(event.info);
        break;
      case 'scenarioBegin':
        mux.onScenarioBegin(event.scenario);
        break;
      case 'stepEnd':
        mux.onStepEnd?.(event.scenario, event.step);
        break;
      case 'scenarioEnd':
        scenarios.push(event.result);
        mux.onScenarioEnd(event.result);
        break;
      case 'error':
        errors.push(event.error);
        mux.onError(event.error);
        break;
      case 'end':
        end = event.result;
        break;
    }
  }
  const result = end
    ? ({ ...end, scenarios: end.scenarios ?? scenarios } as RunResult)
    : unfinished(info, scenarios, errors);
  await mux.onEnd(result);
  return { result, reporterErrors: [...mux.errors] };
}

/** A run whose end line never came (the process was killed): what it finished, marked interrupted. */
function unfinished(
  info: RunInfo | undefined,
  scenarios: ScenarioResult[],
  errors: RunResult['errors'],
): RunResult {
  const startedAt = info?.startedAt ?? scenarios[0]?.startedAt ?? new Date(0).toISOString();
  const endMs = Math.max(Date.parse(startedAt), ...scenarios.map(endOf));
  const totals = countStatuses(scenarios);
  return {
    runId: info?.runId ?? 'unknown',
    flowrunVersion: 'unknown',
    startedAt,
    endedAt: new Date(endMs).toISOString(),
    durationMs: endMs - Date.parse(startedAt),
    environments: info?.environments ?? [...new Set(scenarios.map((s) => s.environment))],
    totals,
    successRate: successRate(totals),
    interrupted: true,
    scenarios,
    errors: [
      ...errors,
      { message: `the run ${info?.runId ?? ''} did not finish: its results are incomplete` },
    ],
  };
}

export const endOf = (s: ScenarioResult): number => Date.parse(s.startedAt) + s.durationMs;

export function countStatuses(results: ScenarioResult[]): Totals {
  const t: Totals = { scenarios: results.length, passed: 0, failed: 0, skipped: 0, flaky: 0 };
  for (const r of results) t[r.status]++;
  return t;
}

/** Passed (incl. flaky) / (scenarios - skipped), in percent with two decimals; 100 when nothing ran. */
export function successRate(t: Totals): number {
  const ran = t.scenarios - t.skipped;
  return ran === 0 ? 100 : Math.round(((t.passed + t.flaky) / ran) * 10_000) / 100;
}
