import { varsFromEnvironment } from '../../config/dotenv.js';
import { ExitCode } from '../../errors.js';
import type { Screen } from '../../types.js';
import { commandInputs, prepare, projectContext } from './prepare.js';

/** `flowrun validate`: parse and check everything a run would load (same config and .env), run nothing. */
export async function validateCommand(
  paths: string[],
  o: Record<string, unknown>,
  screen: Screen,
  list: (v: unknown) => string[],
): Promise<number> {
  const { cwd, config } = await projectContext(o);
  const inputs = commandInputs(paths, o, config, list);
  const prepared = await prepare(
    inputs.paths,
    { env: inputs.env, matrix: inputs.matrix, overrides: varsFromEnvironment() },
    screen,
    cwd,
  );
  if (!prepared) return ExitCode.invalidInput;
  const n = prepared.loaded.scenarios.length;
  screen.out(
    `${prepared.loaded.files} file${prepared.loaded.files === 1 ? '' : 's'} valid, ${n} scenario${n === 1 ? '' : 's'}`,
  );
  return ExitCode.ok;
}
