import { createRequire } from 'node:module';
import type { JSONPath as JSONPathFn } from 'jsonpath-plus';

// jsonpath-plus is loaded on first use: simple paths never need it. Filter expressions `?()`
// run in its safe evaluator (`eval: 'safe'`, a small interpreter over a parsed expression),
// never as script. Keep the version floor in package.json at ^10.4.0 or above: CVE-2024-21534 was
// fixed in 10.0.7 and CVE-2025-1302 in 10.3.0 (both: code execution through the evaluator).
const load = createRequire(import.meta.url);
let jsonPath: typeof JSONPathFn | undefined;
const jsonPathFn = (): typeof JSONPathFn =>
  (jsonPath ??= (load('jsonpath-plus') as { JSONPath: typeof JSONPathFn }).JSONPath);

export interface Selection {
  /** Whether the path matched anything. */
  found: boolean;
  /** The value: the single match for a definite path, the list of matches otherwise. */
  value: unknown;
}

// `$.a.b[0]["c d"]` without wildcards, filters, slices or recursion: walked directly (fast path).
const definiteSegment = /^(?:\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[(?:'([^']*)'|"([^"]*)")\])/;
const parsed = new Map<string, (string | number)[] | null>();

function segmentsOf(path: string): (string | number)[] | null {
  let segs = parsed.get(path);
  if (segs !== undefined) return segs;
  segs = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const m = definiteSegment.exec(rest);
    if (!m) {
      segs = null;
      break;
    }
    segs.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (m[3] ?? m[4])));
    rest = rest.slice(m[0].length);
  }
  parsed.set(path, segs);
  return segs;
}

const own = Object.prototype.hasOwnProperty;

/** Selects `path` (JSONPath, filters through the safe evaluator) from `root`. */
export function select(root: unknown, path: string): Selection {
  if (!path.startsWith('$')) throw new Error(`JSONPath must start with $: ${path}`);
  const segs = segmentsOf(path);
  if (segs) {
    let cur: unknown = root;
    for (const seg of segs) {
      if (cur === null || typeof cur !== 'object') return { found: false, value: undefined };
      if (typeof seg === 'number') {
        if (!Array.isArray(cur) || seg >= cur.length) return { found: false, value: undefined };
        cur = cur[seg];
      } else {
        if (!own.call(cur, seg)) return { found: false, value: undefined };
        cur = (cur as Record<string, unknown>)[seg];
      }
    }
    return { found: true, value: cur };
  }
  let matches: unknown[];
  try {
    matches = jsonPathFn()({ path, json: root as object, eval: 'safe', wrap: true }) as unknown[];
  } catch (error) {
    throw new Error(`invalid JSONPath ${path}: ${(error as Error).message}`, { cause: error });
  }
  return { found: matches.length > 0, value: matches };
}

/** Whether a path can match several values (its value is then a list). */
export const isDefinite = (path: string): boolean => segmentsOf(path) !== null;

/**
 * Why a JSONPath cannot be evaluated (unbalanced brackets, quotes or parentheses, a dangling dot,
 * a filter expression the safe evaluator cannot parse), or undefined when it can. Used at load
 * time, so a typo is a located error before anything runs.
 */
export function jsonPathProblem(path: string): string | undefined {
  if (!path.startsWith('$')) return 'a JSONPath starts with $';
  if (segmentsOf(path)) return undefined;
  const stack: string[] = [];
  let quote = '';
  for (let i = 1; i < path.length; i++) {
    const c = path[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '[' || c === '(') stack.push(c);
    else if (c === ']' || c === ')') {
      const open = stack.pop();
      if (open !== (c === ']' ? '[' : '(')) return `unexpected "${c}" at character ${i + 1}`;
    } else if (c === '.' && stack.length === 0 && (i === path.length - 1 || path.slice(i) === '..'))
      return 'it ends with a dot';
  }
  if (quote) return `unclosed ${quote} quote`;
  if (stack.length) return `unclosed "${stack.at(-1)}"`;
  if (/\[\s*\]/.test(path)) return 'empty brackets []';
  const jp = jsonPathFn();
  let segments: string[];
  try {
    segments = jp.toPathArray(path);
  } catch (error) {
    return (error as Error).message;
  }
  for (const seg of segments) {
    const script = /^\??\(([\s\S]*)\)$/.exec(seg);
    if (!script) continue;
    try {
      new (jp.prototype as unknown as SafeVm).safeVm.Script(asScript(script[1]));
    } catch (error) {
      return `in ${seg}: ${(error as Error).message}`;
    }
  }
  return undefined;
}

interface SafeVm {
  safeVm: { Script: new (code: string) => unknown };
}

/** A filter's expression as jsonpath-plus hands it to its evaluator (its own rewriting of `@`). */
const asScript = (code: string): string =>
  code
    .replaceAll('@parentProperty', '_$_parentProperty')
    .replaceAll('@parent', '_$_parent')
    .replaceAll('@property', '_$_property')
    .replaceAll('@root', '_$_root')
    .replaceAll('@path', '_$_path')
    .replace(/@([.\s)[])/gu, '_$_v$1')
    .replace(/@$/u, '_$_v');
