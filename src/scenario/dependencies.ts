import path from 'node:path';
import type { ScenarioSpec, StepSpec } from '../types.js';

/**
 * The files a scenario is made of: its own file, every flow its steps came from (through
 * `include:`, at any depth) and the JSON Schema files its `expect.schema` keys name. Absolute
 * paths. Watch mode re-runs a scenario when one of them changes.
 */
export function scenarioFiles(scenario: ScenarioSpec, cwd: string): Set<string> {
  const files = new Set<string>([path.resolve(cwd, scenario.file)]);
  const steps: StepSpec[] = [...scenario.setup, ...scenario.steps, ...scenario.teardown];
  for (const step of steps) {
    const from = path.resolve(cwd, step.location.file);
    files.add(from);
    for (const at of step.includedFrom ?? []) files.add(path.resolve(cwd, at.file));
    for (const ref of schemaRefs(step.expect)) files.add(path.resolve(path.dirname(from), ref));
  }
  return files;
}

/** `schema: file.json` values anywhere in an expect block (matchers may nest them). */
function schemaRefs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) schemaRefs(v, out);
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'schema' && typeof v === 'string' && !v.includes('{{')) out.push(v);
      else schemaRefs(v, out);
    }
  }
  return out;
}

/**
 * The scenarios a change of `changed` (absolute paths) affects, or 'all' when a file every
 * scenario depends on changed (an environment, the project config, the matrix, .env) or when a
 * changed file belongs to no scenario and may be a new one.
 */
export function affectedScenarios(
  scenarios: ScenarioSpec[],
  changed: string[],
  cwd: string,
  shared: string[],
): ScenarioSpec[] {
  const sharedSet = new Set(shared.map((f) => path.resolve(cwd, f)));
  if (changed.some((f) => sharedSet.has(f))) return scenarios;
  const wanted = new Set(changed);
  return scenarios.filter((s) => [...scenarioFiles(s, cwd)].some((f) => wanted.has(f)));
}
