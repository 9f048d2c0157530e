import { varsFromEnvironment } from '../../config/dotenv.js';
import { ExitCode } from '../../errors.js';
import { plan } from '../../engine/plan.js';
import type { Screen } from '../../types.js';
import { commandInputs, prepare, projectContext } from './prepare.js';

/** `flowrun list`: the scenarios that would run, with tags and covered points. */
export async function listCommand(
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
  const selected = plan(prepared.loaded.scenarios, { tag: o.tag as string, grep: o.grep as string });
  if (o.json) {
    screen.out(
      JSON.stringify(
        selected.map((s) => ({ id: s.id, name: s.name, file: s.file, tags: s.tags, covers: s.covers })),
        null,
        2,
      ),
    );
    return ExitCode.ok;
  }
  for (const s of selected) {
    const tags = s.tags.length ? `  [${s.tags.join(', ')}]` : '';
    const covers = s.covers.length ? `  covers: ${s.covers.join(', ')}` : '';
    screen.out(`${s.file}  ${s.name}${tags}${covers}${s.skip ? `  (skip: ${s.skip})` : ''}`);
  }
  screen.out(`${selected.length} scenario${selected.length === 1 ? '' : 's'}`);
  return ExitCode.ok;
}
