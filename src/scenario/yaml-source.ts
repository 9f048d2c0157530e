import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { LoadError } from '../errors.js';
import type { Location } from '../types.js';

/** Files above this size are refused before parsing (a scenario is never megabytes of YAML). */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;
/** yaml's alias expansion cap: refuses "billion laughs" documents. */
const MAX_ALIAS_COUNT = 100;

/** A parsed YAML file that maps JSON paths back to file:line:col. */
export interface YamlSource {
  file: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
  data: unknown;
  /** The location of the value at `path`, or of the closest existing ancestor. */
  locate(path: readonly (string | number)[], target?: 'key' | 'value'): Location;
}

export function readYamlFile(file: string, displayName = file): YamlSource {
  return parseYamlSource(readSmallFile(file, displayName), displayName);
}

/**
 * Reads a file synchronously after checking its size on the open descriptor: scenario files are
 * small, and for thousands of them one synchronous read is several times cheaper than the
 * open/stat/read/close round trips of the promise API.
 */
export function readSmallFile(file: string, displayName = file): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const { size } = fstatSync(fd);
    if (size > MAX_FILE_BYTES) {
      throw new LoadError(
        `${displayName} is ${(size / 1048576).toFixed(1)} MiB; files over ${MAX_FILE_BYTES / 1048576} MiB are refused`,
        { code: 'E_YAML_SIZE', location: { file: displayName, line: 1, col: 1 } },
      );
    }
    return readFileSync(fd, 'utf8');
  } catch (error) {
    if (error instanceof LoadError) throw error;
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new LoadError(`cannot read ${displayName}: ${reason}`, { code: 'E_READ' });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function parseYamlSource(text: string, file: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
    strict: true,
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
    });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const msg = (error as Error).message;
    throw new LoadError(
      /alias/i.test(msg)
        ? `YAML aliases expand too much (over ${MAX_ALIAS_COUNT} resolved aliases): refused as a possible alias bomb`
        : `YAML error: ${firstLine(msg)}`,
      { code: 'E_YAML', location: { file, line: 1, col: 1 } },
    );
  }
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
  return { file, text, doc, lines, data, locate };
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
