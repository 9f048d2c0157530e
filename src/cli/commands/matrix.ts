import { existsSync } from 'node:fs';
import path from 'node:path';
import { varsFromEnvironment } from '../../config/dotenv.js';
import { ExitCode, UsageError } from '../../errors.js';
import type { Screen } from '../../types.js';
import { commandInputs, DEFAULT_MATRIX, prepare, projectContext } from './prepare.js';

/** `flowrun matrix [paths..]`: coverage of the integration matrix from the files alone. */
export async function matrixCommand(
  paths: string[],
  o: Record<string, unknown>,
  screen: Screen,
  list: (v: unknown) => string[],
): Promise<number> {
  // The same inputs as run and validate: flowrun.config.yaml, .env, --env, FLOWRUN_VAR_*.
  const { cwd, config } = await projectContext(o);
  const inputs = commandInputs(paths, o, config, list);
  const matrixFile = inputs.matrix ?? DEFAULT_MATRIX;
  if (!existsSync(path.resolve(cwd, matrixFile))) {
    throw new UsageError(
      `no integration matrix: ${matrixFile} not found`,
      inputs.matrix === undefined
        ? `create ${DEFAULT_MATRIX}, pass --matrix <file>, or set matrix: in flowrun.config.yaml`
        : 'check the path (it is relative to the current folder)',
    );
  }
  const prepared = await prepare(
    inputs.paths,
    { env: inputs.env, matrix: matrixFile, overrides: varsFromEnvironment() },
    screen,
    cwd,
  );
  if (!prepared) return ExitCode.invalidInput;
  if (!prepared.matrix) throw new UsageError(`no integration matrix: ${matrixFile} not found`);
  const seen = new Set<string>();
  const scenarioCovers = prepared.loaded.scenarios
    .filter((s) => !seen.has(s.id) && seen.add(s.id))
    .map((s) => ({ scenario: s.name, file: s.file, covers: s.covers }));
  const { matrixCommand: render } = await import('../../matrix/coverage.js');
  return render({
    matrixFile: path.resolve(cwd, matrixFile),
    scenarioCovers,
    screen,
    failOnUncovered: o.failOnUncovered === true,
  });
}
