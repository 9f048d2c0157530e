import { ExitCode } from '../../errors.js';
import type { Screen } from '../../types.js';
import { prepare } from './prepare.js';

/** `flowrun validate`: parse and check everything, run nothing. */
export async function validateCommand(
  paths: string[],
  o: Record<string, unknown>,
  screen: Screen,
  list: (v: unknown) => string[],
): Promise<number> {
  const prepared = await prepare(paths, { env: list(o.env), matrix: o.matrix as string | undefined }, screen);
  if (!prepared) return ExitCode.invalidInput;
  const n = prepared.loaded.scenarios.length;
  screen.out(
    `${prepared.loaded.files} file${prepared.loaded.files === 1 ? '' : 's'} valid, ${n} scenario${n === 1 ? '' : 's'}`,
  );
  return ExitCode.ok;
}
