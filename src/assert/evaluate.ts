import path from 'node:path';
import type { ExpectMode, StepOutput } from '../model/step.js';
import type { AssertionResult, Location } from '../types.js';
import { compileUserSchema } from '../util/user-schema.js';
import { readSmallFile } from '../util/files.js';
import { check, deepDiff, isPlainObject, MISSING, show } from './matchers.js';
import { MASK } from '../util/mask.js';
import { select } from './jsonpath.js';
import { regexSelect, regexSource, type RegexSpec } from './regex.js';

export interface EvaluateContext {
  /** The scenario file's folder, for `schema: ./file.json`. */
  baseDir: string;
  /** Locations of keys (`expect.status`, `expect.body.$.id`...), from the parser. */
  keyLocations: Record<string, Location>;
  /** `expect` or `poll.until`: the prefix of keyLocations entries. */
  prefix: string;
  fallback: Location;
}

const locOf = (ctx: EvaluateContext, ...keys: string[]): Location =>
  ctx.keyLocations[`${ctx.prefix}.${keys.join('.')}`] ??
  ctx.keyLocations[`${ctx.prefix}.${keys[0]}`] ??
  ctx.fallback;

const result = (
  pathName: string,
  expected: unknown,
  actual: unknown,
  r: { passed: boolean; matcher: string; message?: string },
  location: Location,
): AssertionResult => ({
  path: pathName,
  matcher: r.matcher,
  expected,
  // Bytes (a binary body) are shown by size, never copied into results.
  actual: actual === MISSING ? undefined : Buffer.isBuffer(actual) ? `<${actual.length} bytes>` : actual,
  passed: r.passed,
  ...(r.passed ? {} : { message: `${pathName}: ${r.message ?? 'failed'}` }),
  location,
});

const wholeNumber = (v: unknown): unknown => (typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v);

/**
 * A status expectation after rendering: a number (a whole number as text counts, e.g. from a
 * CSV row), a list of them, or a matcher; undefined when it is none of these.
 */
function statusCodes(expected: unknown): unknown {
  if (isPlainObject(expected)) return expected;
  const list = Array.isArray(expected) ? expected.map(wholeNumber) : wholeNumber(expected);
  const ok = (v: unknown) => typeof v === 'number' && Number.isInteger(v);
  return (Array.isArray(list) ? list.every(ok) : ok(list)) ? list : undefined;
}

/** Evaluates an `expect` (or `poll.until`) block against a runner's output. */
export function evaluate(
  expect: Record<string, unknown>,
  output: StepOutput,
  modes: Record<string, ExpectMode>,
  ctx: EvaluateContext,
): AssertionResult[] {
  const out: AssertionResult[] = [];
  for (const [key, expected] of Object.entries(expect)) {
    if (key.startsWith('$')) {
      out.push(jsonPath(key, expected, output.root, key, locOf(ctx, key)));
      continue;
    }
    const actual = Object.prototype.hasOwnProperty.call(output.values, key) ? output.values[key] : MISSING;
    switch (modes[key]) {
      case 'oneOf': {
        const codes = statusCodes(expected);
        out.push(
          codes === undefined
            ? result(
                key,
                expected,
                actual,
                {
                  passed: false,
                  matcher: 'type',
                  message: `expected a status code, a list of them or a matcher, got ${show(expected)}`,
                },
                locOf(ctx, key),
              )
            : Array.isArray(codes)
              ? result(key, codes, actual, oneOf(codes, actual), locOf(ctx, key))
              : result(key, codes, actual, check(codes, actual), locOf(ctx, key)),
        );
        break;
      }
      case 'headers': {
        const headers = (isPlainObject(actual) ? actual : {}) as Record<string, unknown>;
        for (const [name, exp] of Object.entries((expected ?? {}) as Record<string, unknown>)) {
          const lower = name.toLowerCase();
          const got = Object.prototype.hasOwnProperty.call(headers, lower) ? headers[lower] : MISSING;
          out.push(result(`headers.${name}`, exp, got, check(exp, got), locOf(ctx, key, name)));
        }
        break;
      }
      case 'secrets': {
        const values = (isPlainObject(actual) ? actual : {}) as Record<string, unknown>;
        for (const [name, exp] of Object.entries((expected ?? {}) as Record<string, unknown>)) {
          const got = Object.prototype.hasOwnProperty.call(values, name) ? values[name] : MISSING;
          out.push(masked(result(`${key}.${name}`, exp, got, check(exp, got), locOf(ctx, key, name))));
        }
        break;
      }
      case 'regex':
        for (const spec of (Array.isArray(expected) ? expected : [expected]) as (RegexSpec & {
          value?: unknown;
        })[]) {
          out.push(regexCheck(spec, output, locOf(ctx, key)));
        }
        break;
      case 'jsonpath':
        if (
          isPlainObject(expected) &&
          Object.keys(expected).length > 0 &&
          Object.keys(expected).every((k) => k.startsWith('$'))
        ) {
          for (const [p, exp] of Object.entries(expected)) {
            out.push(jsonPath(p, exp, actual, `${key} ${p}`, locOf(ctx, key, p)));
          }
        } else out.push(result(key, expected, actual, check(expected, actual), locOf(ctx, key)));
        break;
      case 'rows':
        out.push(...rows(expected, actual, locOf(ctx, key)));
        break;
      case 'schema':
        out.push(schema(expected, output.root, ctx, locOf(ctx, key)));
        break;
      case 'value':
        out.push(result(key, expected, actual, check(expected, actual), locOf(ctx, key)));
        break;
      default:
        out.push(
          result(
            key,
            expected,
            actual,
            { passed: false, matcher: 'key', message: `"${key}" cannot be checked on this kind of step` },
            locOf(ctx, key),
          ),
        );
    }
  }
  return out;
}

function regexCheck(spec: RegexSpec & { value?: unknown }, output: StepOutput, location: Location) {
  const name = `regex /${spec.regex}/ in ${regexSource(spec)}`;
  let sel: { found: boolean; value?: string };
  try {
    sel = regexSelect(spec, output);
  } catch (error) {
    return result(
      name,
      spec,
      undefined,
      { passed: false, matcher: 'regex', message: (error as Error).message },
      location,
    );
  }
  if (!sel.found)
    return result(
      name,
      spec.value,
      undefined,
      { passed: false, matcher: 'regex', message: 'no match' },
      location,
    );
  if (!('value' in spec))
    return result(name, undefined, sel.value, { passed: true, matcher: 'regex' }, location);
  return result(name, spec.value, sel.value, check(spec.value, sel.value), location);
}

/** A result with the secret value it read (a cookie's) masked in `actual`, `expected` and the message. */
function masked(r: AssertionResult): AssertionResult {
  const hide = (v: unknown) => (typeof v === 'string' ? MASK : v);
  let message = r.message;
  for (const v of [r.actual, r.expected])
    if (message && typeof v === 'string') message = message.split(show(v)).join(show(MASK));
  return { ...r, actual: hide(r.actual), expected: hide(r.expected), ...(message ? { message } : {}) };
}

function jsonPath(
  p: string,
  expected: unknown,
  root: unknown,
  name: string,
  location: Location,
): AssertionResult {
  let sel;
  try {
    sel = select(root, p);
  } catch (error) {
    return result(
      name,
      expected,
      undefined,
      { passed: false, matcher: 'jsonpath', message: (error as Error).message },
      location,
    );
  }
  const actual = sel.found ? sel.value : MISSING;
  return result(name, expected, actual, check(expected, actual), location);
}

function oneOf(list: unknown[], actual: unknown) {
  const passed = list.some((v) => check(v, actual).passed);
  return {
    passed,
    matcher: 'oneOf',
    message: passed ? undefined : `expected one of ${show(list)}, got ${show(actual)}`,
  };
}

function rows(expected: unknown, actual: unknown, location: Location): AssertionResult[] {
  const list = Array.isArray(actual) ? actual : [];
  if (!Array.isArray(expected)) return [result('rows', expected, actual, check(expected, actual), location)];
  const out: AssertionResult[] = [];
  expected.forEach((row, i) => {
    const got = i < list.length ? list[i] : MISSING;
    const d =
      got === MISSING
        ? `expected a row ${i + 1}, got only ${list.length} row${list.length === 1 ? '' : 's'}`
        : deepDiff(row, got, '', true);
    out.push(result(`rows[${i}]`, row, got, { passed: !d, matcher: 'partial', message: d }, location));
  });
  return out;
}

const schemaFiles = new Map<string, object>();

/**
 * Reads and compiles a JSON Schema file once per process; the loader calls it for every
 * referenced file, so a file that does not parse or compile is a load error naming the file.
 */
export function loadSchemaFile(file: string, displayName = file): object {
  let loaded = schemaFiles.get(file);
  if (!loaded) {
    const text = readSmallFile(file, displayName);
    try {
      loaded = JSON.parse(text) as object;
    } catch (error) {
      throw new Error(`${displayName} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    if (loaded === null || typeof loaded !== 'object' || Array.isArray(loaded))
      throw new Error(`${displayName} is not a JSON Schema (an object)`);
    try {
      compileUserSchema(loaded);
    } catch (error) {
      throw new Error(`${displayName} is not a valid JSON Schema: ${(error as Error).message}`, {
        cause: error,
      });
    }
    schemaFiles.set(file, loaded);
  }
  return loaded;
}

function schema(
  expected: unknown,
  actual: unknown,
  ctx: EvaluateContext,
  location: Location,
): AssertionResult {
  let schemaObject: object;
  try {
    if (typeof expected === 'string') {
      schemaObject = loadSchemaFile(path.resolve(ctx.baseDir, expected), expected);
    } else schemaObject = expected as object;
    const validate = compileUserSchema(schemaObject);
    if (validate(actual))
      return result('schema', expected, undefined, { passed: true, matcher: 'schema' }, location);
    const errors = (validate.errors ?? [])
      .slice(0, 3)
      .map((e) => `${e.instancePath || '(root)'} ${e.message}`);
    return result(
      'schema',
      expected,
      actual,
      { passed: false, matcher: 'schema', message: `body does not match the schema: ${errors.join('; ')}` },
      location,
    );
  } catch (error) {
    return result(
      'schema',
      expected,
      undefined,
      { passed: false, matcher: 'schema', message: `cannot use the schema: ${(error as Error).message}` },
      location,
    );
  }
}
