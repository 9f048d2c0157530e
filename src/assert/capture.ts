import type { StepOutput } from '../model/step.js';
import { isDefinite, select } from './jsonpath.js';
import { regexSelect, regexSource, type RegexSpec } from './regex.js';

export interface CaptureOutcome {
  values: Record<string, unknown>;
  /** Names of values that are secrets (cookies): reports show them masked. */
  secret: string[];
  errors: { name: string; message: string }[];
}

/**
 * Applies `capture:` to an output: `$...` JSONPath, `{ header: name }`, `{ cookie: name }`,
 * `{ regex, from }`, `{ path, all }` or `{ iterations: true }`.
 */
// For a path that can match several values, a plain capture takes the first match.
const first = (path: string, value: unknown): unknown =>
  Array.isArray(value) && !isDefinite(path) ? value[0] : value;
const list = (path: string, value: unknown): unknown[] =>
  isDefinite(path) ? (value === undefined ? [] : [value]) : (value as unknown[]);

/**
 * `iterations`: how many iterations of the step's `repeat:`/`forEach:` ran so far (1 without a
 * loop), for `{ iterations: true }`.
 */
export function capture(spec: Record<string, unknown>, output: StepOutput, iterations = 1): CaptureOutcome {
  const values: Record<string, unknown> = {};
  const errors: CaptureOutcome['errors'] = [];
  const secret: string[] = [];
  for (const [name, how] of Object.entries(spec)) {
    try {
      if (typeof how === 'string') {
        const sel = select(output.root, how);
        if (!sel.found) errors.push({ name, message: `capture ${name}: ${how} matched nothing` });
        else values[name] = first(how, sel.value);
      } else if (how && typeof how === 'object' && (how as { iterations?: unknown }).iterations === true) {
        values[name] = iterations;
      } else if (how && typeof how === 'object' && 'header' in how) {
        const header = String((how as { header: string }).header).toLowerCase();
        const v = output.headers?.[header];
        if (v === undefined)
          errors.push({ name, message: `capture ${name}: no "${header}" header in the response` });
        else values[name] = v;
      } else if (how && typeof how === 'object' && 'cookie' in how) {
        const cookie = String((how as { cookie: string }).cookie);
        const jar = output.cookies?.() ?? {};
        if (!Object.hasOwn(jar, cookie))
          errors.push({ name, message: `capture ${name}: no cookie "${cookie}" after the response` });
        else {
          values[name] = jar[cookie];
          secret.push(name);
        }
      } else if (how && typeof how === 'object' && 'regex' in how) {
        const spec = how as RegexSpec;
        const sel = regexSelect(spec, output);
        if (!sel.found)
          errors.push({
            name,
            message: `capture ${name}: /${spec.regex}/ matched nothing in the ${regexSource(spec)}`,
          });
        else values[name] = sel.value;
      } else if (how && typeof how === 'object' && 'path' in how) {
        const { path, all } = how as { path: string; all?: boolean };
        const sel = select(output.root, path);
        if (!sel.found && !all) errors.push({ name, message: `capture ${name}: ${path} matched nothing` });
        else values[name] = all ? list(path, sel.value) : first(path, sel.value);
      }
    } catch (error) {
      errors.push({ name, message: `capture ${name}: ${(error as Error).message}` });
    }
  }
  return { values, errors, secret };
}
