import { createRequire } from 'node:module';
import type HandlebarsModule from 'handlebars';
import { asyncHelpers, helperNames, helpers } from './helpers.js';

/** The variables a template sees: vars, captures, parameters and the built-ins (runId, env, secrets...). */
export type Scope = Record<string, unknown>;

/** A template that names something the scope does not have. */
export class TemplateError extends Error {
  readonly template: string;
  readonly missing?: string;
  constructor(message: string, template: string, missing?: string) {
    super(message);
    this.template = template;
    this.missing = missing;
  }
}

// Handlebars is loaded on first use: plain `{{name}}` templates never need it.
const load = createRequire(import.meta.url);
let hbModule: typeof HandlebarsModule | undefined;
let hbEnv: typeof HandlebarsModule | undefined;
let kept: unknown;
function handlebars(): typeof HandlebarsModule {
  return (hbModule ??= load('handlebars') as typeof HandlebarsModule);
}
function hb(): typeof HandlebarsModule {
  if (!hbEnv) {
    hbEnv = handlebars().create();
    hbEnv.registerHelper(helpers);
    // Used to return the raw value of a whole-value template ("{{count}}" stays a number).
    hbEnv.registerHelper('__keep', (value: unknown) => {
      kept = value;
      return '';
    });
    hbEnv.registerHelper('__soft', softLookup);
    for (const [name, fn] of Object.entries(asyncHelpers)) hbEnv.registerHelper(name, deferred(name, fn));
  }
  return hbEnv;
}

/** Results of asynchronous helpers met during the current renderValueAsync (none outside one). */
let pending: { name: string; result: Promise<unknown> }[] | undefined;
const PLACEHOLDER = /\uE000flowrun-async-(\d+)\uE001/g;

function deferred(name: string, fn: (typeof asyncHelpers)[string]) {
  return (...list: unknown[]) => {
    if (!pending)
      throw new Error(
        `${name} is computed asynchronously and is not available here; use it in a step, its expect or the scenario's vars`,
      );
    const options = list[list.length - 1] as { hash?: Record<string, unknown> };
    const args = list.slice(0, -1);
    if (args.some((a) => typeof a === 'string' && a.includes('\uE000flowrun-async-')))
      throw new Error(`the result of another asynchronous helper cannot be passed to ${name}`);
    pending.push({ name, result: fn(args, options?.hash ?? {}) });
    return `\uE000flowrun-async-${pending.length - 1}\uE001`;
  };
}

/** `exists a.b` must not fail on a missing `a`: its path is read here, where missing means nothing. */
function softLookup(this: unknown, ...list: unknown[]): unknown {
  return softPath(this, list.slice(0, -1) as string[]);
}
function softPath(from: unknown, segments: string[]): unknown {
  let cur = from;
  for (const seg of segments) {
    if (cur === null || typeof cur !== 'object' || !own.call(cur, seg)) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

type Call = { path: hbs.AST.Expression; params: hbs.AST.Expression[]; hash?: hbs.AST.Hash };
const isExists = (n: Call) =>
  n.path.type === 'PathExpression' && (n.path as hbs.AST.PathExpression).original === 'exists';
const isPlainPath = (e: hbs.AST.Expression): e is hbs.AST.PathExpression =>
  e.type === 'PathExpression' &&
  !(e as hbs.AST.PathExpression).data &&
  (e as hbs.AST.PathExpression).depth === 0 &&
  (e as hbs.AST.PathExpression).parts.length > 0;

/** Rewrites the path arguments of `exists` into a lookup that answers nothing for a missing name. */
function softenExists(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    node.forEach(softenExists);
    return;
  }
  const n = node as Call & { type?: string; loc: hbs.AST.SourceLocation };
  if ((n.type === 'MustacheStatement' || n.type === 'SubExpression') && isExists(n)) {
    n.params = n.params.map((p) =>
      isPlainPath(p)
        ? ({
            type: 'SubExpression',
            path: {
              type: 'PathExpression',
              data: false,
              depth: 0,
              parts: ['__soft'],
              original: '__soft',
              loc: p.loc,
            },
            params: p.parts.map((part) => ({
              type: 'StringLiteral',
              value: part,
              original: part,
              loc: p.loc,
            })),
            hash: undefined,
            loc: p.loc,
          } as unknown as hbs.AST.SubExpression)
        : p,
    );
  }
  for (const [k, v] of Object.entries(n)) if (k !== 'loc' && k !== 'path') softenExists(v);
}

function compileHb(source: string): HandlebarsTemplateDelegate {
  if (!source.includes('exists')) return hb().compile(source, options);
  const ast = handlebars().parse(source);
  softenExists(ast);
  return hb().compile(ast, options);
}

type Compiled =
  | { kind: 'literal'; value: string }
  | { kind: 'parts'; parts: (string | string[])[] }
  | { kind: 'path'; segments: string[] }
  | { kind: 'whole'; fn: HandlebarsTemplateDelegate }
  | { kind: 'text'; fn: HandlebarsTemplateDelegate };

const cache = new Map<string, Compiled>();
const builtinBlockHelpers = new Set(['if', 'unless', 'each', 'with', 'lookup', 'log']);
const simplePath = /^\{\{\s*([A-Za-z_$][\w$-]*(?:\.[\w$-]+)*)\s*\}\}$/;
const whole = /^\{\{\s*([^{}]+?)\s*\}\}$/;
const options = { strict: true, noEscape: true } as const;

function compile(template: string): Compiled {
  let c = cache.get(template);
  if (c) return c;
  if (!template.includes('{{')) c = { kind: 'literal', value: template };
  else {
    const path = simplePath.exec(template);
    const first = path?.[1].split('.')[0];
    if (path && first && !helperNames.has(first)) c = { kind: 'path', segments: path[1].split('.') };
    else {
      const w = whole.exec(template);
      if (
        w &&
        !w[1].startsWith('#') &&
        !w[1].startsWith('/') &&
        !w[1].startsWith('!') &&
        !w[1].startsWith('>')
      ) {
        const expr = w[1];
        const head = expr.split(/\s+/)[0];
        const isCall = helperNames.has(head) || /\s/.test(expr);
        c = {
          kind: 'whole',
          fn: compileHb(isCall ? `{{__keep (${expr})}}` : `{{__keep ${expr}}}`),
        };
      } else c = interpolation(template) ?? { kind: 'text', fn: compileHb(template) };
    }
  }
  cache.set(template, c);
  return c;
}

const own = Object.prototype.hasOwnProperty;
const textPart = /\{\{\s*([A-Za-z_$][\w$-]*(?:\.[\w$-]+)*)\s*\}\}/g;

/**
 * Text with only plain variable references ("Bearer {{token}}", "/orders/{{id}}") is
 * interpolated directly: the same result as Handlebars (strict, no escaping) at a fraction of
 * the cost, which matters on hot paths such as headers and URLs.
 */
function interpolation(template: string): Compiled | undefined {
  const parts: (string | string[])[] = [];
  let last = 0;
  for (const m of template.matchAll(textPart)) {
    const segments = m[1].split('.');
    if (helperNames.has(segments[0])) return undefined;
    parts.push(template.slice(last, m.index), segments);
    last = m.index + m[0].length;
  }
  const rest = template.slice(last);
  if (
    rest.includes('{{') ||
    rest.includes('}}') ||
    parts.some((p) => typeof p === 'string' && (p.includes('{{') || p.includes('}}')))
  ) {
    return undefined;
  }
  parts.push(rest);
  return { kind: 'parts', parts };
}

/** How Handlebars prints a value inside text. */
const asText = (v: unknown): string =>
  v === null || v === undefined ? '' : typeof v === 'string' ? v : String(v);

function lookup(scope: Scope, segments: string[], template: string): unknown {
  let cur: unknown = scope;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    if (cur === null || typeof cur !== 'object' || !own.call(cur, seg)) {
      throw missingError(segments.slice(0, i + 1).join('.'), template, i === 0 ? scope : cur);
    }
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

function missingError(name: string, template: string, where: unknown): TemplateError {
  if (name.startsWith('env.')) {
    return new TemplateError(
      `environment variable ${name.slice(4)} is not set (used in "${template}")`,
      template,
      name,
    );
  }
  const known =
    where && typeof where === 'object' ? Object.keys(where).filter((k) => !k.startsWith('__')) : [];
  const list = known.length > 12 ? `${known.slice(0, 12).join(', ')}, ...` : known.join(', ');
  return new TemplateError(
    `unknown variable "${name}" in "${template}"${known.length ? ` (known: ${list})` : ''}`,
    template,
    name,
  );
}

/** Renders one string; a string that is exactly one {{expr}} keeps the expression's type. */
export function renderString(template: string, scope: Scope): unknown {
  const c = compile(template);
  switch (c.kind) {
    case 'literal':
      return c.value;
    case 'path':
      return lookup(scope, c.segments, template);
    case 'whole':
      kept = undefined;
      run(c.fn, scope, template);
      return kept;
    case 'parts': {
      let out = '';
      for (const p of c.parts) out += typeof p === 'string' ? p : asText(lookup(scope, p, template));
      return out;
    }
    case 'text':
      return run(c.fn, scope, template);
  }
}

function run(fn: HandlebarsTemplateDelegate, scope: Scope, template: string): string {
  try {
    return fn(scope);
  } catch (error) {
    const msg = (error as Error).message;
    const m = /"([^"]+)" not defined in/.exec(msg);
    if (m) throw missingError(m[1], template, scope);
    throw new TemplateError(`template "${template}": ${msg.split('\n')[0]}`, template);
  }
}

/** Renders every string inside a value (objects and lists deeply); keys are left as written. */
export function renderValue(value: unknown, scope: Scope): unknown {
  if (typeof value === 'string') return renderString(value, scope);
  if (Array.isArray(value)) return value.map((v) => renderValue(v, scope));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderValue(v, scope);
    return out;
  }
  return value;
}

/**
 * renderValue for values that may call asynchronous helpers (`jwt`): they answer placeholders
 * while the value renders, then their results replace them. A result changed by another helper
 * (`{{base64 (jwt ...)}}`) cannot be put back and is an error.
 */
export async function renderValueAsync(value: unknown, scope: Scope): Promise<unknown> {
  const outer = pending;
  const mine: NonNullable<typeof pending> = [];
  pending = mine;
  let out: unknown;
  try {
    out = renderValue(value, scope);
  } finally {
    pending = outer;
  }
  if (mine.length === 0) return out;
  let results: unknown[];
  try {
    results = await Promise.all(mine.map((p) => p.result));
  } catch (error) {
    throw new TemplateError((error as Error).message, String(value));
  }
  const used = new Set<number>();
  const put = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const whole = /^\uE000flowrun-async-(\d+)\uE001$/.exec(v);
      if (whole) {
        used.add(Number(whole[1]));
        return results[Number(whole[1])];
      }
      return v.replace(PLACEHOLDER, (_, i: string) => {
        used.add(Number(i));
        return asText(results[Number(i)]);
      });
    }
    if (Array.isArray(v)) return v.map(put);
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, put(x)]));
    return v;
  };
  out = put(out);
  const lost = mine.findIndex((_, i) => !used.has(i));
  if (lost >= 0)
    throw new TemplateError(
      `the result of ${mine[lost].name} cannot be passed to another helper; put it in a var first`,
      String(value),
    );
  return out;
}

/** Whether a value contains any template at all (cheap check used to skip rendering). */
export function hasTemplate(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('{{');
  if (Array.isArray(value)) return value.some(hasTemplate);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasTemplate);
  return false;
}

/**
 * The root names a template reads (for load-time checks): `{{user.id}}` -> `user`,
 * `{{hmacSha256 secrets.key body}}` -> `secrets`, `body`. Helpers are not names.
 * Throws TemplateError on a syntax error.
 */
const rootsCache = new Map<string, string[] | TemplateError>();

export function templateRoots(template: string): string[] {
  if (!template.includes('{{')) return [];
  let cached = rootsCache.get(template);
  if (cached === undefined) {
    try {
      cached = parseRoots(template);
    } catch (error) {
      cached = error as TemplateError;
    }
    rootsCache.set(template, cached);
  }
  if (cached instanceof TemplateError) throw cached;
  return cached;
}

function parseRoots(template: string): string[] {
  const simple = interpolation(template);
  if (simple?.kind === 'parts') {
    return [...new Set(simple.parts.filter((p): p is string[] => Array.isArray(p)).map((p) => p[0]))];
  }
  let ast: hbs.AST.Program;
  try {
    ast = handlebars().parse(template);
  } catch (error) {
    throw new TemplateError(
      `template syntax error in "${template}": ${(error as Error).message.split('\n')[0]}`,
      template,
    );
  }
  const roots = new Set<string>();
  const visitPath = (p: hbs.AST.PathExpression, asCallee: boolean, hasArgs: boolean) => {
    if (p.data || p.parts.length === 0) return;
    const head = p.parts[0];
    if (asCallee && (helperNames.has(head) || builtinBlockHelpers.has(head))) return;
    if (asCallee && hasArgs)
      throw new TemplateError(`unknown helper "${head}" in "${template}"`, template, head);
    if (head === 'this') return;
    roots.add(head);
  };
  const visitExpr = (e: hbs.AST.Expression) => {
    if (e.type === 'PathExpression') visitPath(e as hbs.AST.PathExpression, false, false);
    else if (e.type === 'SubExpression') visitCall(e as hbs.AST.SubExpression);
  };
  const visitCall = (n: { path: hbs.AST.Expression; params: hbs.AST.Expression[]; hash?: hbs.AST.Hash }) => {
    const hasArgs = n.params.length > 0 || (n.hash?.pairs.length ?? 0) > 0;
    if (n.path.type === 'PathExpression') visitPath(n.path as hbs.AST.PathExpression, true, hasArgs);
    // `exists x` asks whether x is there: x need not be known.
    (isExists(n) ? n.params.filter((p) => !isPlainPath(p)) : n.params).forEach(visitExpr);
    n.hash?.pairs.forEach((p) => visitExpr(p.value));
  };
  const visit = (prog: hbs.AST.Program | undefined) => {
    for (const s of prog?.body ?? []) {
      if (s.type === 'MustacheStatement') visitCall(s as hbs.AST.MustacheStatement);
      else if (s.type === 'BlockStatement') {
        const b = s as hbs.AST.BlockStatement;
        b.params.forEach(visitExpr);
        // Inside each/with the context changes, so names there cannot be checked statically.
        const head = b.path.type === 'PathExpression' ? (b.path as hbs.AST.PathExpression).parts[0] : '';
        if (head === 'if' || head === 'unless') {
          visit(b.program);
          visit(b.inverse);
        }
      }
    }
  };
  visit(ast);
  return [...roots];
}
