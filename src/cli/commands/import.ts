import path from 'node:path';
import { stringify } from 'yaml';
import { ExitCode, UsageError } from '../../errors.js';
import { importCurl } from '../../import/curl.js';
import { writeImport, type ImportResult } from '../../import/output.js';
import type { Screen } from '../../types.js';

const KINDS = ['openapi', 'postman', 'curl'];

/**
 * `flowrun import openapi|postman|curl <source>`: writes ordinary flowrun YAML the user then owns.
 * Existing files are never overwritten without --force; what could not be translated is listed.
 * A curl command without --out prints its step.
 */
export async function importCommand(
  kind: string,
  source: string,
  o: Record<string, unknown>,
  screen: Screen,
): Promise<number> {
  const cwd = process.cwd();
  const out = typeof o.out === 'string' ? o.out : undefined;
  let result: ImportResult;
  switch (kind) {
    case 'openapi': {
      const { importOpenApi } = await import('../../import/openapi.js');
      result = await importOpenApi(source, { out: out ?? 'scenarios/api', cwd });
      break;
    }
    case 'postman': {
      const { importPostman } = await import('../../import/postman.js');
      result = await importPostman(source, {
        out: out ?? 'scenarios/postman',
        cwd,
        env: typeof o.env === 'string' ? o.env : undefined,
      });
      break;
    }
    case 'curl': {
      const curl = importCurl(source);
      if (!out) {
        screen.out(stringify([curl.step], { lineWidth: 0 }).trimEnd());
        for (const note of curl.notes) screen.err(`not translated: ${note}`);
        return ExitCode.ok;
      }
      const file = /\.ya?ml$/.test(out) ? out : path.join(out, 'curl.yaml');
      result = {
        files: [{ file, kind: 'scenario', data: { name: String(curl.step.name), steps: [curl.step] } }],
        notes: curl.notes,
      };
      break;
    }
    default:
      throw new UsageError(`unknown import kind "${kind}"`, `use one of: ${KINDS.join(', ')}`);
  }
  const written = await writeImport(result, cwd, o.force === true);
  for (const file of written) screen.out(`wrote ${file}`);
  for (const note of result.notes) screen.err(`not translated: ${note}`);
  if (result.summary) screen.out(result.summary);
  return ExitCode.ok;
}
