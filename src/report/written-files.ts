import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Screen } from '../types.js';

/**
 * The report files written into `outDir` since `sinceMs` (top level only; service logs live in a
 * sub-folder), as paths relative to `cwd`, HTML last. Found on disk, so a custom reporter's files
 * are listed too.
 */
export function reportFilesSince(outDir: string, cwd: string, sinceMs: number): string[] {
  let names: string[];
  try {
    names = readdirSync(outDir);
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const name of names.sort()) {
    if (name.endsWith('.tmp')) continue;
    const file = path.join(outDir, name);
    try {
      const stat = statSync(file);
      // Coarse file-system clocks: allow a second of slack before the run started.
      if (stat.isFile() && stat.mtimeMs >= sinceMs - 1000) files.push(file);
    } catch {
      // removed meanwhile
    }
  }
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
