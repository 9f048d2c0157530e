import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Document, isMap, isSeq, type YAMLSeq } from 'yaml';
import { UsageError } from '../errors.js';
import { writeFileAtomically } from '../util/files.js';

/** A file an importer wants to write, and what it could not translate. */
export interface ImportedFile {
  /** Relative to the project folder. */
  file: string;
  kind: 'scenario' | 'environment' | 'flow';
  data: Record<string, unknown>;
  /** Comments above steps (index in `steps`): untranslated code marked TODO. */
  stepComments?: Map<number, string>;
  /** A comment at the top, under the schema line. */
  header?: string;
}

export interface ImportResult {
  files: ImportedFile[];
  /** Things the importer could not translate, one line each. */
  notes: string[];
  /** A closing line, e.g. "translated 12 of 14 assertions; 2 left as TODO comments". */
  summary?: string;
}

const ownSchemas = fileURLToPath(new URL('../../schemas/', import.meta.url));

/**
 * The `$schema` an editor should use for a written file: the project's own schemas/ folder, else
 * the installed flowrun package's, else this flowrun's.
 */
export function schemaFor(kind: ImportedFile['kind'], fileAbs: string, cwd: string): string {
  const name = `${kind}.schema.json`;
  for (const dir of [
    path.join(cwd, 'schemas'),
    path.join(cwd, 'node_modules', 'flowrun', 'schemas'),
    ownSchemas,
  ]) {
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) {
      // Outside the project (flowrun run from elsewhere): an absolute path, not ../../../..
      if (path.relative(cwd, candidate).startsWith('..')) return candidate;
      const rel = path.relative(path.dirname(fileAbs), candidate).split(path.sep).join('/');
      return rel.startsWith('.') ? rel : `./${rel}`;
    }
  }
  return name;
}

/** The YAML text of one file: schema line, header comment, the data, TODO comments above steps. */
export function renderFile(f: ImportedFile, cwd: string): string {
  const doc = new Document(f.data);
  if (f.stepComments?.size) {
    const steps = isMap(doc.contents) ? doc.contents.get('steps', true) : undefined;
    if (isSeq(steps)) {
      for (const [i, text] of f.stepComments) {
        const item = (steps as YAMLSeq).items[i] as { commentBefore?: string } | undefined;
        if (item)
          item.commentBefore = text
            .split('\n')
            .map((l) => ` ${l}`)
            .join('\n');
      }
    }
  }
  const abs = path.resolve(cwd, f.file);
  const head = [`# yaml-language-server: $schema=${schemaFor(f.kind, abs, cwd)}`];
  if (f.header) head.push(...f.header.split('\n').map((l) => `# ${l}`.trimEnd()));
  return `${head.join('\n')}\n${doc.toString({ lineWidth: 0 })}`;
}

/** Writes every file, refusing (before writing any) when one exists and `force` is not set. */
export async function writeImport(result: ImportResult, cwd: string, force: boolean): Promise<string[]> {
  const existing = result.files.filter((f) => existsSync(path.resolve(cwd, f.file))).map((f) => f.file);
  if (existing.length && !force)
    throw new UsageError(
      `flowrun import would overwrite ${existing.join(', ')}`,
      'move them away, choose another --out, or pass --force to overwrite',
    );
  const written: string[] = [];
  for (const f of result.files) {
    await writeFileAtomically(path.resolve(cwd, f.file), renderFile(f, cwd));
    written.push(f.file);
  }
  return written;
}

/** A file name from a title: `Pet store` -> `pet-store`. */
export const slug = (s: string): string =>
  s
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 60) || 'unnamed';

/** A template variable name from any text: `pet id` -> `petId`. */
export const varName = (s: string): string => {
  const parts = s.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const name = parts.map((p, i) => (i ? p[0].toUpperCase() + p.slice(1) : p)).join('');
  return /^[A-Za-z_]/.test(name) ? name : `v${name}`;
};
