import path from 'node:path';
import { LoadError, type FlowrunError } from '../errors.js';
import { loadSchemaFile } from '../assert/evaluate.js';
import { compileUserSchema } from '../util/user-schema.js';
import type { YamlSource } from './yaml-source.js';

type Path = (string | number)[];

/**
 * Load-time checks of an `expect` (or `poll.until`) block: every JSON Schema it names, as a
 * file or inline, must parse and compile, so a broken schema is a located error before the run
 * instead of a failed step that does not say which file.
 */
export function checkExpect(
  expect: unknown,
  at: Path,
  source: YamlSource,
  cwd: string,
  errors: FlowrunError[],
): void {
  if (!expect || typeof expect !== 'object' || Array.isArray(expect)) return;
  const schema = (expect as Record<string, unknown>).schema;
  if (typeof schema === 'string') checkSchemaFile(schema, [...at, 'schema'], source, cwd, errors);
  else if (schema && typeof schema === 'object') checkInlineSchema(schema, [...at, 'schema'], source, errors);
}

function checkSchemaFile(
  ref: string,
  at: Path,
  source: YamlSource,
  cwd: string,
  errors: FlowrunError[],
): void {
  if (ref.includes('{{')) return; // chosen at run time
  const file = path.resolve(cwd, path.dirname(source.file), ref);
  const rel = path.relative(cwd, file);
  try {
    loadSchemaFile(file, rel.startsWith('..') ? file : rel);
  } catch (error) {
    errors.push(
      new LoadError((error as Error).message, {
        code: 'E_SCHEMA_FILE',
        location: source.locate(at),
        hint: 'the path is relative to the file that names it',
      }),
    );
  }
}

function checkInlineSchema(schema: object, at: Path, source: YamlSource, errors: FlowrunError[]): void {
  try {
    compileUserSchema(schema);
  } catch (error) {
    errors.push(
      new LoadError(`invalid JSON Schema: ${(error as Error).message}`, {
        code: 'E_SCHEMA_FILE',
        location: source.locate(at),
      }),
    );
  }
}
