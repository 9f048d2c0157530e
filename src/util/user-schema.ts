import { createRequire } from 'node:module';
import type { Ajv, ValidateFunction } from 'ajv';

/**
 * Users' own JSON Schemas (`expect.schema`, the `matchesSchema` matcher), compiled once per
 * distinct schema. ajv is loaded only when one is compiled: most runs have none.
 */
const userSchemas = new Map<string, ValidateFunction>();
const userAjv: { draft7?: Ajv; draft2020?: Ajv } = {};
const require = createRequire(import.meta.url);
const ajvClass = (): typeof Ajv => (require('ajv') as { Ajv: typeof Ajv }).Ajv;

/** An ajv for the schema's declared draft (draft-07 by default; 2019-09 and 2020-12 too), with formats. */
function ajvFor(schema: object): Ajv {
  const declared = String((schema as { $schema?: unknown }).$schema ?? '');
  const modern = /2020-12|2019-09/.test(declared);
  const slot = modern ? 'draft2020' : 'draft7';
  let a = userAjv[slot];
  if (!a) {
    const Ctor = modern ? (require('ajv/dist/2020') as { Ajv2020: typeof Ajv }).Ajv2020 : ajvClass();
    a = new Ctor({ allErrors: true, strict: false });
    (require('ajv-formats') as { default: (a: Ajv) => void }).default(a);
    userAjv[slot] = a;
  }
  return a;
}

/** Compiles a user's schema once per distinct schema (equal schemas share one validator). */
export function compileUserSchema(schema: object): ValidateFunction {
  const key = JSON.stringify(schema);
  let fn = userSchemas.get(key);
  if (!fn) {
    fn = ajvFor(schema).compile(schema);
    userSchemas.set(key, fn);
  }
  return fn;
}
