import { existsSync } from 'node:fs';
import path from 'node:path';
import { LoadErrors, UsageError } from '../errors.js';
import { displayName } from '../scenario/normalize.js';
import { validateSource, type SchemaName } from '../scenario/validate.js';
import { readYamlFile } from '../scenario/yaml-source.js';
import type { ContractDefaults } from '../model/environment.js';

/** The defaults a project keeps in `flowrun.config.yaml` (schemas/config.schema.json). */
export interface ProjectConfig {
  /** The file it came from (display name), absent when there is none. */
  file?: string;
  paths?: string[];
  env?: string[];
  reporters?: string[];
  out?: string;
  concurrency?: number;
  retries?: number;
  timeout?: string | number;
  runTimeout?: string | number;
  matrix?: string;
  minSuccessRate?: number;
  /** `onFailure: continue`: every scenario keeps going after a failed step (a scenario's own wins). */
  onFailure?: 'continue' | 'stop';
  /** `openapi:` and `contract:`: defaults for environments that name no OpenAPI document. */
  contract?: ContractDefaults;
}

export const CONFIG_FILES = ['flowrun.config.yaml', 'flowrun.config.yml'];

const asList = (v: unknown): string[] | undefined =>
  v === undefined
    ? undefined
    : (Array.isArray(v) ? v : [v])
        .flatMap((x) => String(x).split(','))
        .map((s) => s.trim())
        .filter(Boolean);

/**
 * Reads the project's config file: `explicit` (--config) or the first of CONFIG_FILES in `cwd`.
 * No file is an empty config; an invalid one throws located errors (exit 2).
 */
export async function loadProjectConfig(cwd: string, explicit?: string): Promise<ProjectConfig> {
  let abs: string | undefined;
  if (explicit) {
    abs = path.resolve(cwd, explicit);
    if (!existsSync(abs)) throw new UsageError(`no such config file: ${explicit}`);
  } else {
    abs = CONFIG_FILES.map((f) => path.join(cwd, f)).find((f) => existsSync(f));
  }
  if (!abs) return {};
  const file = displayName(cwd, abs);
  const source = await readYamlFile(abs, file);
  // An empty file is a config with no defaults, not an error.
  if (source.data === null || source.data === undefined) return { file };
  // 'config' is a schema in schemas/ like the others; validateSource compiles it by name.
  const errors = validateSource(source, 'config' as SchemaName);
  if (errors.length) throw errors.length === 1 ? errors[0] : new LoadErrors(errors);
  const d = source.data as Record<string, unknown>;
  return {
    file,
    paths: asList(d.paths),
    env: asList(d.env),
    reporters: asList(d.reporters),
    out: d.out as string | undefined,
    concurrency: d.concurrency as number | undefined,
    retries: d.retries as number | undefined,
    timeout: d.timeout as string | number | undefined,
    runTimeout: d.runTimeout as string | number | undefined,
    matrix: d.matrix as string | undefined,
    minSuccessRate: d.minSuccessRate as number | undefined,
    onFailure: d.onFailure as ProjectConfig['onFailure'],
    ...(d.openapi !== undefined || d.contract !== undefined
      ? {
          contract: {
            openapi: d.openapi as string | undefined,
            contract: d.contract,
            baseDir: path.dirname(abs),
            at: source.locate([d.openapi !== undefined ? 'openapi' : 'contract']),
          },
        }
      : {}),
  };
}
