import { existsSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, UsageError } from '../../errors.js';
import { coverageList } from '../../report/api-coverage.js';
import { combineRuns } from '../../report/ndjson/combine.js';
import { readRunEvents } from '../../report/ndjson/read.js';
import { displayName } from '../../scenario/normalize.js';
import type { RunResult, Screen } from '../../types.js';
import { apiCoverageGate, percentOption } from './run.js';

/**
 * `flowrun coverage <report>`: the API coverage of a previous run, recounted from its steps
 * (flowrun.json or flowrun.ndjson, or a folder holding one). Exit 1 below --min-api-coverage.
 */
export async function coverageCommand(
  report: string,
  o: Record<string, unknown>,
  screen: Screen,
): Promise<number> {
  const cwd = process.cwd();
  const min = percentOption(o.minApiCoverage, '--min-api-coverage');
  let abs = path.resolve(cwd, report);
  if (existsSync(abs) && !abs.endsWith('.json') && !abs.endsWith('.ndjson')) {
    const inside = ['flowrun.ndjson', 'flowrun.json'].map((f) => path.join(abs, f)).find(existsSync);
    if (inside) abs = inside;
  }
  if (!existsSync(abs))
    throw new UsageError(`no such report: ${report}`, 'pass the flowrun.json or flowrun.ndjson of a run');
  const file = displayName(cwd, abs);
  const events = combineRuns([{ file, events: await readRunEvents(abs, file) }], { outDir: '', cwd });
  const end = events[events.length - 1] as { type: 'end'; result: RunResult };
  const api = end.result.api;
  if (!api?.specs.length) {
    screen.err(
      `${file} has no API coverage: its run named no OpenAPI document (openapi: in the environment)`,
    );
    return ExitCode.invalidInput;
  }
  screen.out(o.json ? JSON.stringify(api, null, 2) : coverageList(api).join('\n'));
  return apiCoverageGate(end.result, min, screen);
}
