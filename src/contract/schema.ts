import { createRequire } from 'node:module';
import type { Ajv as AjvClass, ValidateFunction } from 'ajv';
import { deref } from './spec.js';

const require = createRequire(import.meta.url);

/** Responses must not carry writeOnly properties; requests must not carry readOnly ones. */
export type Direction = 'response' | 'request';

/** Keys whose values are data, not schemas. */
const DATA_KEYS = new Set(['example', 'examples', 'default', 'enum', 'const']);

/**
 * A copy of the document whose schemas ajv compiles as they are meant for one direction:
 * a property the other direction owns (`writeOnly` in a response, `readOnly` in a request) is
 * neither required nor allowed, and for OpenAPI 3.0 its own dialect becomes JSON Schema
 * (`nullable`, boolean `exclusiveMinimum`/`exclusiveMaximum`).
 */
export function prepareDocument(
  doc: Record<string, any>,
  dialect: '3.0' | '3.1',
  direction: Direction,
): Record<string, any> {
  const copy = structuredClone(doc);
  const hidden = direction === 'response' ? 'writeOnly' : 'readOnly';
  walk(copy, (o) => {
    if (!o.properties || typeof o.properties !== 'object' || Array.isArray(o.properties)) return;
    const owned = Object.keys(o.properties).filter(
      (k) => deref(copy, o.properties[k], '').value?.[hidden] === true,
    );
    if (!owned.length) return;
    for (const k of owned) o.properties[k] = { not: {}, description: `${hidden} property` };
    if (Array.isArray(o.required)) o.required = o.required.filter((k: string) => !owned.includes(k));
  });
  if (dialect === '3.0') walk(copy, fromOpenApi30);
  return copy;
}

/** Post-order walk over every object of the document except data (examples, enums, defaults). */
function walk(node: unknown, visit: (o: Record<string, any>) => void): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  const o = node as Record<string, any>;
  for (const [k, v] of Object.entries(o)) if (!DATA_KEYS.has(k) && !k.startsWith('x-')) walk(v, visit);
  visit(o);
}

function fromOpenApi30(o: Record<string, any>): void {
  for (const [bound, limit] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof o[bound] !== 'boolean') continue;
    if (o[bound] && typeof o[limit] === 'number') {
      o[bound] = o[limit];
      delete o[limit];
    } else delete o[bound];
  }
  if (typeof o.nullable !== 'boolean') return;
  const nullable = o.nullable;
  delete o.nullable;
  if (!nullable) return;
  if (o.type !== undefined) {
    o.type = [...(Array.isArray(o.type) ? o.type : [o.type]), 'null'];
    if (Array.isArray(o.enum) && !o.enum.includes(null)) o.enum = [...o.enum, null];
    return;
  }
  const rest = { ...o };
  for (const k of Object.keys(o)) delete o[k];
  o.anyOf = [rest, { type: 'null' }];
}

/** OpenAPI's own formats, checked where they have a meaning for JSON values. */
const OPENAPI_FORMATS: Record<string, { type: 'number' | 'string'; validate: (v: any) => boolean }> = {
  int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 },
  int64: { type: 'number', validate: (n: number) => Number.isInteger(n) },
  float: { type: 'number', validate: () => true },
  double: { type: 'number', validate: () => true },
  byte: { type: 'string', validate: (s: string) => /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0 },
  binary: { type: 'string', validate: () => true },
  password: { type: 'string', validate: () => true },
};

/** One ajv per document and direction; validators compiled lazily, once per schema. */
export class SchemaSet {
  private readonly ajv: AjvClass;
  private readonly cache = new Map<string, ValidateFunction | Error>();
  static readonly ID = 'openapi.json';

  constructor(doc: Record<string, any>, dialect: '3.0' | '3.1', direction: Direction) {
    const Ctor =
      dialect === '3.1'
        ? (require('ajv/dist/2020') as { Ajv2020: typeof AjvClass }).Ajv2020
        : (require('ajv') as { Ajv: typeof AjvClass }).Ajv;
    this.ajv = new Ctor({
      allErrors: true,
      // parentSchema in errors: how a readOnly/writeOnly property is told apart from a plain `not`.
      verbose: true,
      strict: false,
      validateSchema: false,
      logger: false,
      discriminator: dialect === '3.1',
    });
    (require('ajv-formats') as { default: (a: AjvClass) => void }).default(this.ajv);
    for (const [name, format] of Object.entries(OPENAPI_FORMATS)) this.ajv.addFormat(name, format as never);
    this.ajv.addSchema(prepareDocument(doc, dialect, direction), SchemaSet.ID);
  }

  /** The validator of the schema at `pointer` in the document (compiled on first use). */
  validator(pointer: string): ValidateFunction {
    let fn = this.cache.get(pointer);
    if (!fn) {
      try {
        fn = this.ajv.compile({ $ref: `${SchemaSet.ID}#${encodePointer(pointer)}` });
      } catch (error) {
        fn = error as Error;
      }
      this.cache.set(pointer, fn);
    }
    if (fn instanceof Error) throw fn;
    return fn;
  }
}

/** A JSON pointer as a URI fragment (`{` and `}` of path templates are not allowed there raw). */
const encodePointer = (pointer: string): string =>
  pointer
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/%7E/gi, '~'))
    .join('/');
