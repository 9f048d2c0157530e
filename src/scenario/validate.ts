import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Ajv as AjvClass, ErrorObject, ValidateFunction } from 'ajv';
import { LoadError } from '../errors.js';
import type { YamlSource } from './yaml-source.js';

const schemaDir = fileURLToPath(new URL('../../schemas/', import.meta.url));
export type SchemaName = 'scenario' | 'flow' | 'environment' | 'matrix' | 'mock-file' | 'config';
// Built by scripts/build-validators.cjs next to the compiled JavaScript; absent when running from src.
// ajv itself is loaded only when a schema must be compiled at run time (user schemas, sources).
const lazy = createRequire(import.meta.url);
const ajvClass = (): typeof AjvClass => (lazy('ajv') as { Ajv: typeof AjvClass }).Ajv;
type Ajv = AjvClass;
const precompiledFile = fileURLToPath(new URL('../scenario/validators.cjs', import.meta.url));
let precompiled: Record<string, ValidateFunction> | null | undefined;

let ajv: Ajv | undefined;
const compiled = new Map<SchemaName, ValidateFunction>();

function instance(): Ajv {
  if (!ajv) {
    ajv = new (ajvClass())({ allErrors: true, verbose: true, strict: false });
    ajv.addSchema(loadSchema('scenario'), 'scenario.schema.json');
  }
  return ajv;
}

export function loadSchema(name: SchemaName): Record<string, unknown> {
  return JSON.parse(readFileSync(`${schemaDir}${name}.schema.json`, 'utf8')) as Record<string, unknown>;
}

/** The compiled validator of a schema in schemas/, compiled once per process. */
export function validator(name: SchemaName): ValidateFunction {
  let fn = compiled.get(name);
  if (!fn) {
    if (precompiled === undefined) {
      precompiled = existsSync(precompiledFile)
        ? (createRequire(import.meta.url)(precompiledFile) as Record<string, ValidateFunction>)
        : null;
    }
    fn = precompiled?.[name];
  }
  if (!fn) {
    const a = instance();
    fn = name === 'scenario' ? a.getSchema('scenario.schema.json')! : a.compile(loadSchema(name));
    compiled.set(name, fn);
  }
  return fn;
}

/** Validates a parsed file; every problem becomes a located LoadError. */
export function validateSource(source: YamlSource, name: SchemaName): LoadError[] {
  const validate = validator(name);
  if (validate(source.data)) return [];
  return translate(validate.errors ?? [], source);
}

export const pointerToPath = (pointer: string): (string | number)[] =>
  pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
        .map((s) => (/^\d+$/.test(s) ? Number(s) : s));

const show = (path: (string | number)[]): string =>
  path.length === 0
    ? 'the file'
    : path.reduce<string>(
        (acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg),
        '',
      );

/** Suggests the closest of `candidates` when it is close enough to be a typo. */
export function suggest(word: string, candidates: string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const { closest, distance } = lazy('fastest-levenshtein') as typeof import('fastest-levenshtein');
  const best = closest(word, candidates);
  return distance(word.toLowerCase(), best.toLowerCase()) <= Math.max(2, Math.floor(best.length / 3))
    ? best
    : undefined;
}

function translate(errors: ErrorObject[], source: YamlSource): LoadError[] {
  // `if` errors only repeat what the `then` branch said; anyOf branches are summarised once.
  const relevant = errors.filter((e) => e.keyword !== 'if');
  const anyOfPaths = relevant
    .filter((e) => e.keyword === 'anyOf')
    .map((e) => ({ at: e.instancePath, schema: e.schemaPath }));
  const out = new Map<string, LoadError>();
  for (const e of relevant) {
    const inBranch = anyOfPaths.some(
      (a) => e.keyword !== 'anyOf' && e.schemaPath.startsWith(a.schema.replace(/\/anyOf$/, '/anyOf/')),
    );
    if (inBranch) continue;
    const path = pointerToPath(e.instancePath);
    const made = describe(e, path, source);
    const key = `${made.location?.line}:${made.location?.col}:${made.message}`;
    if (!out.has(key)) out.set(key, made);
  }
  return [...out.values()].sort(
    (a, b) => (a.location!.line - b.location!.line) * 10_000 + (a.location!.col - b.location!.col),
  );
}

function describe(e: ErrorObject, path: (string | number)[], source: YamlSource): LoadError {
  const at = show(path);
  const parent = e.parentSchema as { description?: string; properties?: Record<string, unknown> } | undefined;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys(parent?.properties ?? {});
      const guess = suggest(key, known);
      return new LoadError(`unknown key "${key}"${path.length ? ` in ${at}` : ''}`, {
        code: 'E_SCHEMA',
        location: source.locate([...path, key], 'key'),
        hint: guess
          ? `did you mean "${guess}"?`
          : known.length
            ? `known keys: ${known.join(', ')}`
            : undefined,
      });
    }
    case 'required': {
      const key = (e.params as { missingProperty: string }).missingProperty;
      return new LoadError(`missing key "${key}"${path.length ? ` in ${at}` : ''}`, {
        code: 'E_SCHEMA',
        location: source.locate(path, path.length ? 'key' : 'value'),
      });
    }
    case 'type':
      return new LoadError(
        `${at} must be ${article((e.params as { type: string }).type)}, not ${typeName(e.data)}`,
        {
          code: 'E_SCHEMA',
          location: source.locate(path),
        },
      );
    case 'enum':
      return new LoadError(
        `${at} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`,
        {
          code: 'E_SCHEMA',
          location: source.locate(path),
        },
      );
    case 'anyOf':
      if (JSON.stringify(parent).includes('(ms|s|m|h)')) {
        return new LoadError(
          `${at} is not a valid duration: use a number of milliseconds or a string such as 500ms, 30s, 2m`,
          {
            code: 'E_SCHEMA',
            location: source.locate(path),
          },
        );
      }
      return new LoadError(
        `${at} has the wrong form${parent?.description ? `: ${lowerFirst(parent.description)}` : ''}`,
        {
          code: 'E_SCHEMA',
          location: source.locate(path),
        },
      );
    case 'pattern':
      return new LoadError(
        `${at} ${parent?.description ? `is not valid: ${lowerFirst(parent.description)}` : `must match ${(e.params as { pattern: string }).pattern}`}`,
        { code: 'E_SCHEMA', location: source.locate(path) },
      );
    case 'propertyNames':
      return new LoadError(
        `${at} has an invalid key "${(e.params as { propertyName: string }).propertyName}"`,
        {
          code: 'E_SCHEMA',
          location: source.locate([...path, (e.params as { propertyName: string }).propertyName], 'key'),
          hint: parent?.description,
        },
      );
    default:
      return new LoadError(`${at} ${e.message ?? 'is invalid'}`, {
        code: 'E_SCHEMA',
        location: source.locate(path),
      });
  }
}

const article = (t: string): string => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);
const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1).replace(/\.$/, '');
export const typeName = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'a list'
      : typeof v === 'object'
        ? 'a mapping'
        : `${typeof v} ${JSON.stringify(v)}`;
