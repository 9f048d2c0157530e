import jsYaml from 'js-yaml';
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
} from 'yaml';
import { LoadError } from '../errors.js';
import { readSmallFile } from '../util/files.js';

export { MAX_FILE_BYTES, readSmallFile } from '../util/files.js';
import type { Location } from '../types.js';

/**
 * The most nodes a document may have once every alias is expanded: refuses "billion laughs"
 * documents while a file may reuse a small anchor as often as it likes. A 4 MiB file without
 * aliases has far fewer nodes than this.
 */
export const MAX_EXPANDED_NODES = 1_000_000;

/** A parsed YAML file that maps JSON paths back to file:line:col. */
export interface YamlSource {
  file: string;
  text: string;
  data: unknown;
  /** The location of the value at `path`, or of the closest existing ancestor. */
  locate(path: readonly (string | number)[], target?: 'key' | 'value'): Location;
}

export function readYamlFile(file: string, displayName = file): YamlSource {
  return parseYamlSource(readSmallFile(file, displayName), displayName);
}

/**
 * Parses a YAML file with positions. Most scenario files take the fast path (js-yaml, about 13
 * times faster than yaml's parser here: 23 µs against 310 µs for a typical file), with positions
 * collected from its node events; anything unusual (anchors, aliases, tags, directives, several
 * documents, any error) goes through yaml, which gives the located error messages.
 */
export function parseYamlSource(text: string, file: string): YamlSource {
  return parseYamlFast(text, file) ?? parseYamlFull(text, file);
}

/** yaml's parser: full YAML 1.2, precise error positions. */
export function parseYamlFull(text: string, file: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
    strict: true,
    // `<<: *base` merges the mapping, in both parsers (the fast path sends such files here).
    merge: true,
  });
  const at = (offset: number): Location => {
    const p = lines.linePos(offset);
    return { file, line: p.line, col: p.col };
  };
  const problem = doc.errors[0];
  if (problem) {
    throw new LoadError(`YAML syntax error: ${firstLine(problem.message)}`, {
      code: 'E_YAML',
      location: at(problem.pos[0]),
      hint: quoteHint(text, problem.pos[0]),
    });
  }
  checkKeys(doc, text, at);
  const data = documentToJS(doc, file, at);
  const locate = (path: readonly (string | number)[], target: 'key' | 'value' = 'value'): Location => {
    let node: unknown = doc.contents;
    let best: number = (doc.contents as Node | null)?.range?.[0] ?? 0;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
        );
        if (!pair) break;
        const isLast = i === path.length - 1;
        if (isLast && target === 'key' && isScalar(pair.key) && pair.key.range) {
          return at(pair.key.range[0]);
        }
        const value = pair.value as Node | null;
        best = value?.range?.[0] ?? (pair.key as Node).range?.[0] ?? best;
        node = value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg] as Node | undefined;
        if (!item) break;
        best = item.range?.[0] ?? best;
        node = item;
      } else break;
    }
    return at(best);
  };
  return { file, text, data, locate };
}

/**
 * A plain `{{name}}` is YAML for a mapping inside a mapping: as a value it silently became
 * `{ "{ name }": null }`. A key that is a mapping or a list is refused, with the fix.
 */
function checkKeys(doc: Document.Parsed, text: string, at: (offset: number) => Location): void {
  visit(doc, {
    Pair(_, pair) {
      const key = pair.key as Node | null;
      if (!isMap(key) && !isSeq(key)) return;
      // `{{x}}` is a mapping whose only key is the mapping `{x}`: point at the outer braces.
      const inner = key.range?.[0] ?? 0;
      const end = key.range?.[1] ?? inner;
      const template = text[inner - 1] === '{' && text[end] === '}';
      const start = template ? inner - 1 : inner;
      const written = text.slice(start, template ? end + 1 : end).trim();
      throw new LoadError(
        template
          ? `unquoted template ${written}: YAML reads {{...}} as a mapping`
          : 'a mapping key must be a plain value, not a mapping or a list',
        {
          code: 'E_YAML',
          location: at(start),
          hint: template
            ? `quote it: "${written.replace(/"/g, '\\"')}"`
            : 'quote the key if it is meant as text',
        },
      );
    },
  });
}

/**
 * `{ email: {{x}}/a }` or `{ $.items[0].id: 1 }` inside a flow mapping is a YAML syntax error:
 * `{ } [ ] ,` end a plain value there. When the line has such an unquoted template or
 * JSONPath, the hint says to quote it.
 */
function quoteHint(text: string, offset: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lineEnd = text.indexOf('\n', offset);
  const line = text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd);
  if (!/[{[]/.test(line)) return undefined;
  const token =
    /(?:^|[\s{[,:])([^\s"',{}[\]]*\{\{[^}]*\}\}[^\s,}\]]*)/.exec(line) ??
    /(?:^|[\s{[,])(\$[^\s"',{}]*?\[[^\s]*?)(?=:\s|:$|\s*[,}]|\s*$)/.exec(line);
  if (!token) return undefined;
  const value = token[1];
  return `inside { } or [ ], quote a value or key that holds {{ }} or [ ]: "${value.replace(/"/g, '\\"')}"`;
}

/**
 * The document's value, after refusing one whose aliases expand beyond MAX_EXPANDED_NODES
 * (every file flowrun parses with yaml goes through here).
 */
export function documentToJS(doc: Document.Parsed, file: string, at: (offset: number) => Location): unknown {
  const expanded = expandedSize(doc);
  if (expanded.nodes > MAX_EXPANDED_NODES) {
    throw new LoadError(
      `YAML aliases expand to over ${MAX_EXPANDED_NODES.toLocaleString('en')} values: refused as a possible alias bomb`,
      { code: 'E_YAML', location: expanded.at === undefined ? { file, line: 1, col: 1 } : at(expanded.at) },
    );
  }
  try {
    return doc.toJS({ maxAliasCount: -1 });
  } catch (error) {
    throw new LoadError(`YAML error: ${firstLine((error as Error).message)}`, {
      code: 'E_YAML',
      location: { file, line: 1, col: 1 },
    });
  }
}

/**
 * How many values the document holds once every alias is expanded (memoised per node, so
 * linear in the file), and where the alias that crossed the bound is.
 */
function expandedSize(doc: Document.Parsed): { nodes: number; at?: number } {
  const sizes = new Map<unknown, number>();
  let at: number | undefined;
  const size = (node: unknown): number => {
    if (node === null || node === undefined) return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    sizes.set(node, 1); // a recursive alias counts once
    let n = 1;
    if (isAlias(node)) {
      n = size(node.resolve(doc));
      if (n > MAX_EXPANDED_NODES && at === undefined) at = node.range?.[0];
    } else if (isMap(node) || isSeq(node)) {
      for (const item of node.items as unknown[]) {
        n += isPair(item) ? size(item.key) + size(item.value) : size(item);
        if (n > MAX_EXPANDED_NODES) {
          at ??= node.range?.[0];
          break;
        }
      }
    }
    sizes.set(node, n);
    return n;
  };
  return { nodes: size(doc.contents), at };
}

// The YAML 1.2 core schema exactly as yaml resolves plain scalars (yaml/dist/schema/core), so
// both parsers give the same values: no timestamps, no `0b`, no `_` in numbers (merge keys go to yaml).
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
const CORE_SCHEMA = jsYaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    new jsYaml.Type('tag:yaml.org,2002:null', {
      kind: 'scalar',
      resolve: (s: string | null) => s === null || NULL.test(s),
      construct: () => null,
    }),
    new jsYaml.Type('tag:yaml.org,2002:bool', {
      kind: 'scalar',
      resolve: (s: string | null) => s !== null && BOOL.test(s),
      construct: (s: string) => s[0] === 't' || s[0] === 'T',
    }),
    new jsYaml.Type('tag:yaml.org,2002:int', {
      kind: 'scalar',
      resolve: (s: string | null) => s !== null && (INT.test(s) || INT_OCT.test(s) || INT_HEX.test(s)),
      construct: (s: string) =>
        INT_OCT.test(s)
          ? parseInt(s.slice(2), 8)
          : INT_HEX.test(s)
            ? parseInt(s.slice(2), 16)
            : parseInt(s, 10),
    }),
    new jsYaml.Type('tag:yaml.org,2002:float', {
      kind: 'scalar',
      resolve: (s: string | null) => s !== null && (FLOAT_NAN.test(s) || FLOAT_EXP.test(s) || FLOAT.test(s)),
      construct: (s: string) =>
        FLOAT_NAN.test(s)
          ? s.slice(-3).toLowerCase() === 'nan'
            ? NaN
            : s[0] === '-'
              ? Number.NEGATIVE_INFINITY
              : Number.POSITIVE_INFINITY
          : parseFloat(s),
    }),
  ],
});

/** Anchors, aliases, tags, directives, document markers and merge keys: left to yaml. */
const UNUSUAL = /(?:^|[\s[{,])[&*!]\S|^(?:---|\.\.\.|%)|(?:^|[\s{,])<<\s*:/m;

/** A node as js-yaml composed it: where it opened and closed, and its children in order. */
interface Frame {
  start: number;
  end: number;
  kind: string | null;
  /** The text of a scalar (a mapping key is a scalar frame). */
  scalar?: string;
  /** The object or array of a collection. */
  value?: unknown;
  children: Frame[];
}

/** js-yaml with positions from its node events, or null when the file needs yaml. */
export function parseYamlFast(text: string, file: string): YamlSource | null {
  // A byte order mark shifts yaml's columns by one; an empty document has nothing to locate.
  if (text.charCodeAt(0) === 0xfeff || UNUSUAL.test(text)) return null;
  const stack: Frame[] = [];
  let root: Frame | undefined;
  let data: unknown;
  try {
    data = jsYaml.load(text, {
      schema: CORE_SCHEMA,
      listener(event, state) {
        if (event === 'open') {
          stack.push({ start: state.position, end: state.position, kind: null, children: [] });
          return;
        }
        const frame = stack.pop()!;
        frame.end = state.position;
        frame.kind = state.kind ?? null;
        const value: unknown = state.result;
        if (value === null || typeof value !== 'object') frame.scalar = String(value);
        else {
          frame.value = value;
          // A flow collection as a block sequence item comes as a node wrapping the node.
          const only = frame.children.length === 1 ? frame.children[0] : undefined;
          if (only && only.value === value) frame.children = only.children;
        }
        if (stack.length) stack[stack.length - 1].children.push(frame);
        else root = frame;
      },
    });
  } catch {
    return null;
  }
  if (data === undefined || data === null || !root || !consistent(root, data)) return null;
  const top = root;
  let lineStarts: number[] | undefined;
  const at = (offset: number): Location => {
    const starts = (lineStarts ??= lineStartsOf(text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file, line: lo + 1, col: offset - starts[lo] + 1 };
  };
  // A node starts at its first character; an empty value (`key:`) where it would have been.
  const startOf = (frame: Frame): number => {
    const first = skipBlank(text, frame.start, frame.end);
    if (first < frame.end) return first;
    let i = frame.start;
    while (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9) i++;
    return i;
  };
  const locate = (path: readonly (string | number)[], target: 'key' | 'value' = 'value'): Location => {
    let frame = top;
    let best = startOf(top);
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      if (frame.kind === 'mapping') {
        const key = String(seg);
        let j = 0;
        while (j < frame.children.length && frame.children[j].scalar !== key) j += 2;
        if (j >= frame.children.length) break;
        if (i === path.length - 1 && target === 'key') return at(startOf(frame.children[j]));
        frame = frame.children[j + 1];
        best = startOf(frame);
      } else if (frame.kind === 'sequence' && typeof seg === 'number') {
        const item = frame.children[seg];
        if (!item) break;
        frame = item;
        best = startOf(frame);
      } else break;
    }
    return at(best);
  };
  return { file, text, data, locate };
}

/** Mappings alternate key and value frames and sequences have one frame per item, or yaml decides. */
function consistent(frame: Frame, value: unknown): boolean {
  if (frame.kind === 'mapping') {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
    const keys = Object.keys(value);
    if (frame.children.length !== keys.length * 2) return false;
    for (let i = 0; i < keys.length; i++) {
      if (frame.children[i * 2].scalar !== keys[i]) return false;
      if (!consistent(frame.children[i * 2 + 1], (value as Record<string, unknown>)[keys[i]])) return false;
    }
    return true;
  }
  if (frame.kind === 'sequence') {
    if (!Array.isArray(value) || frame.children.length !== value.length) return false;
    return value.every((item, i) => consistent(frame.children[i], item));
  }
  return value === null || typeof value !== 'object';
}

/** The first offset at or after `from` (and before `end`) that is not a space, line break or comment. */
function skipBlank(text: string, from: number, end: number): number {
  let i = from;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else if (c === 35 && (i === 0 || /\s/.test(text[i - 1]))) {
      while (i < end && text.charCodeAt(i) !== 10) i++;
    } else break;
  }
  return i;
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

const firstLine = (s: string): string => s.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');

/** A short code frame around a location, for the central error printer. */
export function codeFrame(text: string, loc: Location, context = 2): string {
  const all = text.split(/\r?\n/);
  const from = Math.max(1, loc.line - context);
  const to = Math.min(all.length, loc.line + context);
  const width = String(to).length;
  const out: string[] = [];
  for (let n = from; n <= to; n++) {
    const mark = n === loc.line ? '>' : ' ';
    out.push(`${mark} ${String(n).padStart(width)} | ${all[n - 1]}`);
    if (n === loc.line) out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, loc.col - 1))}^`);
  }
  return out.join('\n');
}
