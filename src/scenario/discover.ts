import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';

export interface Target {
  /** Absolute path of a scenario file. */
  file: string;
  /** `file.yaml:12`: only the scenario defined at or before this line... (the file's scenario). */
  line?: number;
}

const isYaml = (name: string): boolean => /\.ya?ml$/i.test(name);
// Flows are included by scenarios, never run on their own.
const isFlow = (rel: string): boolean => /(^|[\\/])flows[\\/]/.test(rel) || /\.flow\.ya?ml$/i.test(rel);

/** Expands files and folders (recursively, sorted) into scenario files; `file:line` is kept. */
export async function discover(paths: string[], cwd: string): Promise<Target[]> {
  const out: Target[] = [];
  const seen = new Set<string>();
  for (const raw of paths) {
    let p = raw;
    let line: number | undefined;
    const m = /^(.*\.ya?ml):(\d+)$/i.exec(raw);
    if (m) {
      p = m[1];
      line = Number(m[2]);
    }
    const abs = path.resolve(cwd, p);
    let st;
    try {
      st = await stat(abs);
    } catch {
      throw new UsageError(`no such file or folder: ${raw}`);
    }
    if (st.isDirectory()) {
      for (const file of await walk(abs)) {
        if (isFlow(path.relative(abs, file))) continue;
        if (!seen.has(file)) {
          seen.add(file);
          out.push({ file });
        }
      }
    } else {
      if (!seen.has(abs) || line !== undefined) {
        seen.add(abs);
        out.push({ file: abs, line });
      }
    }
  }
  return out;
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const files: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) files.push(...(await walk(full)));
    else if (e.isFile() && isYaml(e.name)) files.push(full);
  }
  return files;
}
