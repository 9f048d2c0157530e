import { createRequire } from 'node:module';
import type { JSONPath as JSONPathFn } from 'jsonpath-plus';

// jsonpath-plus is loaded on first use: simple paths never need it.
const load = createRequire(import.meta.url);
let jsonPath: typeof JSONPathFn | undefined;

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

/** Selects `path` (JSONPath, script evaluation disabled) from `root`. */
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
    jsonPath ??= (load('jsonpath-plus') as { JSONPath: typeof JSONPathFn }).JSONPath;
    matches = jsonPath({ path, json: root as object, eval: false, wrap: true }) as unknown[];
  } catch (error) {
    throw new Error(`invalid JSONPath ${path}: ${(error as Error).message}`, { cause: error });
  }
  return { found: matches.length > 0, value: matches };
}

/** Whether a path can match several values (its value is then a list). */
export const isDefinite = (path: string): boolean => segmentsOf(path) !== null;
