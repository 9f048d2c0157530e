import type { Location, RunInfo, RunResult, ScenarioResult, StepResult } from '../../types.js';

/** Version of the NDJSON event format, written on the begin line. */
export const EVENTS_VERSION = 1;

/**
 * One line of `flowrun.ndjson`: exactly what the Reporter interface receives, in order, already
 * masked. The `end` line carries the run result without `scenarios` (they are the scenarioEnd
 * lines above it), so a large run is not written twice.
 */
export type RunEvent =
  | { type: 'begin'; v?: number; info: RunInfo }
  | { type: 'scenarioBegin'; scenario: { id: string; name: string; environment: string; file: string } }
  | { type: 'stepEnd'; scenario: { id: string; environment: string }; step: StepResult }
  | { type: 'scenarioEnd'; result: ScenarioResult }
  | { type: 'error'; error: { message: string; location?: Location } }
  | { type: 'end'; result: Omit<RunResult, 'scenarios'> & { scenarios?: ScenarioResult[] } };

export const EVENT_TYPES = new Set(['begin', 'scenarioBegin', 'stepEnd', 'scenarioEnd', 'error', 'end']);
