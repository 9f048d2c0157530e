import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Screen } from '../types.js';

/** The files at the top of `outDir` and their modification times, taken before a run. */
export function snapshotReportFiles(outDir: string): Map<string, number> {
  const before = new Map<string, number>();
  for (const [name, mtimeMs] of topLevelFiles(outDir)) before.set(name, mtimeMs);
  return before;
}

function topLevelFiles(outDir: string): [string, number][] {
  let names: string[];
  try {
    names = readdirSync(outDir);
  } catch {
    return [];
  }
  const out: [string, number][] = [];
  for (const name of names.sort()) {
    if (name.endsWith('.tmp')) continue;
    try {
      const stat = statSync(path.join(outDir, name));
      if (stat.isFile()) out.push([name, stat.mtimeMs]);
    } catch {
      // removed meanwhile
    }
  }
  return out;
}

/**
 * The report files written into `outDir` during the run: new since `before` (see
 * snapshotReportFiles) or modified since (top level only; service logs live in a sub-folder),
 * as paths relative to `cwd`, HTML last. Found on disk, so a custom reporter's files are listed
 * too; comparing with the snapshot rather than with the clock keeps a previous run's files out
 * however quickly the runs follow each other.
 */
export function reportFilesSince(outDir: string, cwd: string, before: Map<string, number>): string[] {
  const files = topLevelFiles(outDir)
    .filter(([name, mtimeMs]) => before.get(name) !== mtimeMs)
    .map(([name]) => path.join(outDir, name));
  const html = (f: string) => (f.endsWith('.html') ? 1 : 0);
  return files
    .sort((a, b) => html(a) - html(b))
    .map((f) => {
      const rel = path.relative(cwd, f);
      return rel.startsWith('..') || path.isAbsolute(rel) ? f : rel.split(path.sep).join('/');
    });
}

/** OSC 8: a terminal hyperlink (shown as `text`, opens `url`). */
export const hyperlink = (url: string, text: string): string =>
  `\u001b]8;;${url}\u001b\\${text}\u001b]8;;\u001b\\`;

/**
 * The end-of-run list of report files. On a TTY the HTML report is a clickable file:// link; in
 * CI and pipes every path is plain text.
 */
export function printReportFiles(screen: Screen, files: string[], cwd: string): void {
  if (!files.length) return;
  const shown = files.map((f) =>
    screen.isTTY && f.endsWith('.html') ? hyperlink(pathToFileURL(path.resolve(cwd, f)).href, f) : f,
  );
  screen.out(`Reports:      ${shown.join('\n              ')}`);
}
