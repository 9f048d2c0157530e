import path from 'node:path';
import { ExitCode, UsageError } from '../../errors.js';
import type { Screen } from '../../types.js';
import { DEFAULT_MATRIX, prepare } from './prepare.js';

/** `flowrun matrix [paths..]`: coverage of the integration matrix from the files alone. */
export async function matrixCommand(
  paths: string[],
  o: Record<string, unknown>,
  screen: Screen,
): Promise<number> {
  const matrixFile = (o.matrix as string | undefined) ?? DEFAULT_MATRIX;
  const prepared = await prepare(paths, { matrix: matrixFile }, screen);
  if (!prepared) return ExitCode.invalidInput;
  if (!prepared.matrix)
    throw new UsageError(`no integration matrix: ${matrixFile} not found`, 'pass --matrix <file>');
  const seen = new Set<string>();
  const scenarioCovers = prepared.loaded.scenarios
    .filter((s) => !seen.has(s.id) && seen.add(s.id))
    .map((s) => ({ scenario: s.name, file: s.file, covers: s.covers }));
  const { matrixCommand: render } = await import('../../matrix/coverage.js');
  return render({
    matrixFile: path.resolve(process.cwd(), matrixFile),
    scenarioCovers,
    screen,
    failOnUncovered: o.failOnUncovered === true,
  });
}
