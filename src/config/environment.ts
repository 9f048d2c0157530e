import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { LoadError, LoadErrors, UsageError } from '../errors.js';
import { BUILTIN_NAMES, checkTemplates, KnownNames } from '../scenario/check-templates.js';
import { displayName } from '../scenario/normalize.js';
import { suggest, validateSource } from '../scenario/validate.js';
import { readYamlFile, type YamlSource } from '../scenario/yaml-source.js';
import type { EnvironmentSource } from '../model/environment.js';

/** An environment file as loaded: the engine's EnvironmentSource, with the parsed file for code frames. */
export interface LoadedEnvironment extends EnvironmentSource {
  source?: YamlSource;
}

const EMPTY: LoadedEnvironment = { name: 'default', data: { name: 'default' } };

/** Loads `environments/<name>.yaml` (or .yml); an unknown name lists the available ones. */
export async function loadEnvironment(
  name: string | undefined,
  cwd: string,
  dir = 'environments',
): Promise<LoadedEnvironment> {
  if (!name) return { ...EMPTY, data: { ...EMPTY.data } };
  const folder = path.resolve(cwd, dir);
  let available: string[] = [];
  try {
    available = (await readdir(folder))
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => f.replace(/\.ya?ml$/, ''));
  } catch {
    // no folder: handled below with the same message
  }
  const found = (await readdir(folder).catch(() => [] as string[])).find(
    (f) => f === `${name}.yaml` || f === `${name}.yml`,
  );
  if (!found) {
    const guess = suggest(name, available);
    throw new UsageError(
      `unknown environment "${name}": no ${path.join(dir, name)}.yaml`,
      available.length
        ? `${guess ? `did you mean "${guess}"? ` : ''}available: ${available.sort().join(', ')}`
        : `create ${path.join(dir, name)}.yaml (see README: environments)`,
    );
  }
  const abs = path.join(folder, found);
  const file = displayName(cwd, abs);
  const source = await readYamlFile(abs, file);
  const errors = validateSource(source, 'environment');
  const data = source.data as Record<string, any>;
  if (!errors.length) {
    // Templates in an environment see the process environment, runId, earlier services and mocks.
    const known = new KnownNames([...BUILTIN_NAMES, ...Object.keys(data.vars ?? {})]);
    checkTemplates([[data, []]], source, known, errors);
    errors.push(...checkReadyNames(data, source));
  }
  if (errors.length) throw errors.length === 1 ? errors[0] : new LoadErrors(errors);
  return { name: String(data.name ?? name), file, data, source };
}

/**
 * `waitFor: - sql: main` names a database of `databases:` (and `redis: cache` one of `redis:`);
 * anything else without `://` is neither a URL nor a name, and is refused with a suggestion.
 */
function checkReadyNames(data: Record<string, any>, source: YamlSource): LoadError[] {
  const errors: LoadError[] = [];
  ((data.waitFor ?? []) as Record<string, unknown>[]).forEach((check, i) => {
    for (const [kind, section] of [
      ['sql', 'databases'],
      ['redis', 'redis'],
    ] as const) {
      const value = check?.[kind];
      if (typeof value !== 'string' || value.includes('://') || value.includes('{{')) continue;
      const names = Object.keys((data[section] ?? {}) as Record<string, unknown>);
      if (names.includes(value)) continue;
      const guess = suggest(value, names);
      errors.push(
        new LoadError(`waitFor ${kind}: "${value}" is neither a URL nor a name from ${section}:`, {
          code: 'E_ENV',
          location: source.locate(['waitFor', i, kind]),
          hint: guess
            ? `did you mean "${guess}"?`
            : `give a ${kind === 'sql' ? 'postgres://' : 'redis://'} URL${names.length ? ` or one of: ${names.join(', ')}` : ''}`,
        }),
      );
    }
  });
  return errors;
}

/** Names every scenario template may use in this environment (its vars). */
export const environmentNames = (env: EnvironmentSource): string[] => Object.keys(env.data.vars ?? {});
