import { readFile } from 'node:fs/promises';
import { LoadError } from '../../errors.js';
import type { RunResult } from '../../types.js';
import { EVENT_TYPES, type RunEvent } from './events.js';

/**
 * Reads a run from `flowrun.ndjson` (events, one per line) or `flowrun.json` (the whole result,
 * turned into the events that would have produced it). `file` is the name shown in errors.
 */
export async function readRunEvents(abs: string, file: string): Promise<RunEvent[]> {
  const text = await readFile(abs, 'utf8');
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    whole = undefined;
  }
  if (isRunResult(whole)) return eventsOfResult(whole);
  const events: RunEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch (error) {
      // A shard killed mid-write leaves a cut last line: keep everything before it.
      if (i >= lines.length - 2 && events.length) break;
      throw new LoadError(`${file} is neither flowrun.json nor NDJSON events: ${(error as Error).message}`, {
        code: 'E_MERGE',
        location: { file, line: i + 1, col: 1 },
      });
    }
    const type = (event as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !EVENT_TYPES.has(type)) {
      throw new LoadError(`${file}: line ${i + 1} is not a flowrun event (type ${JSON.stringify(type)})`, {
        code: 'E_MERGE',
        location: { file, line: i + 1, col: 1 },
        hint: 'merge reads the flowrun.ndjson written by -r ndjson, or flowrun.json written by -r json',
      });
    }
    events.push(event as RunEvent);
  }
  if (!events.some((e) => e.type === 'begin')) {
    throw new LoadError(`${file} holds no run (no begin event)`, {
      code: 'E_MERGE',
      location: { file, line: 1, col: 1 },
    });
  }
  return events;
}

const isRunResult = (v: unknown): v is RunResult =>
  v !== null &&
  typeof v === 'object' &&
  Array.isArray((v as RunResult).scenarios) &&
  typeof (v as RunResult).totals === 'object';

/** The events a run would have sent to reporters, from its final result. */
export function eventsOfResult(result: RunResult): RunEvent[] {
  const events: RunEvent[] = [
    {
      type: 'begin',
      info: {
        runId: result.runId,
        startedAt: result.startedAt,
        environments: result.environments,
        total: result.scenarios.length,
        outDir: '',
        cwd: '',
      },
    },
  ];
  for (const s of result.scenarios) {
    if (s.status !== 'skipped')
      events.push({
        type: 'scenarioBegin',
        scenario: { id: s.id, name: s.name, environment: s.environment, file: s.file },
      });
    for (const step of s.steps)
      events.push({ type: 'stepEnd', scenario: { id: s.id, environment: s.environment }, step });
    events.push({ type: 'scenarioEnd', result: s });
  }
  for (const error of result.errors) events.push({ type: 'error', error });
  const { scenarios: _kept, matrix: _recomputed, ...rest } = result;
  events.push({ type: 'end', result: rest });
  return events;
}
