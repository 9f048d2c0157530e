import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadDotenv } from '../../config/dotenv.js';
import { environmentNames, loadEnvironment, type LoadedEnvironment } from '../../config/environment.js';
import { loadProjectConfig, type ProjectConfig } from '../../config/project-config.js';
import type { ContractDefaults } from '../../model/environment.js';
import { FlowrunError, LoadError, LoadErrors } from '../../errors.js';
import { loadScenarios, type LoadResult } from '../../scenario/load.js';
import type { MatrixFile } from '../../matrix/load.js';
import type { Location, Screen } from '../../types.js';
import { printErrors } from '../print-error.js';

export interface Prepared {
  environments: LoadedEnvironment[];
  loaded: LoadResult;
  matrix?: MatrixFile;
  matrixFile?: string;
}

export const DEFAULT_MATRIX = 'integration-matrix.yaml';

/** What a command loads: its paths, --env and --matrix when given, else flowrun.config.yaml's. */
export function commandInputs(
  paths: string[],
  o: Record<string, unknown>,
  config: ProjectConfig,
  list: (v: unknown) => string[],
): { paths: string[]; env: string[]; matrix?: string } {
  return {
    paths: paths.length ? paths : (config.paths ?? []),
    env: o.env !== undefined ? list(o.env) : (config.env ?? []),
    matrix: (o.matrix as string | undefined) ?? config.matrix,
  };
}

/** Loads environments, the matrix and the scenarios; prints every error at once. Undefined = exit 2. */
export async function prepare(
  paths: string[],
  options: {
    env?: string[];
    matrix?: string;
    overrides?: Record<string, unknown>;
    /** `openapi:`/`contract:` of flowrun.config.yaml for environments that name none. */
    contract?: ContractDefaults;
  },
  screen: Screen,
  cwd = process.cwd(),
): Promise<Prepared | undefined> {
  const errors: FlowrunError[] = [];
  const environments: LoadedEnvironment[] = [];
  for (const name of options.env?.length ? options.env : [undefined]) {
    try {
      const env = await loadEnvironment(name, cwd);
      if (options.contract) env.contractDefaults = options.contract;
      environments.push(env);
    } catch (error) {
      if (!(error instanceof FlowrunError)) throw error;
      errors.push(error);
    }
  }
  let matrix: MatrixFile | undefined;
  const matrixFile =
    options.matrix ?? (existsSync(path.join(cwd, DEFAULT_MATRIX)) ? DEFAULT_MATRIX : undefined);
  if (matrixFile) {
    try {
      const { loadMatrix } = await import('../../matrix/load.js');
      matrix = await loadMatrix(path.resolve(cwd, matrixFile), matrixFile);
    } catch (error) {
      if (!(error instanceof FlowrunError)) throw error;
      errors.push(error);
    }
  }
  const extraNames = [
    ...new Set([...environments.flatMap(environmentNames), ...Object.keys(options.overrides ?? {})]),
  ];
  const checkCovers = matrix ? await coversChecker(matrix, matrixFile!) : undefined;
  const loaded = await loadScenarios(paths.length ? paths : ['scenarios'], { cwd, extraNames, checkCovers });
  errors.push(...loaded.errors);
  if (errors.length) {
    const sources = new Map(loaded.sources);
    for (const e of environments) if (e.source && e.file) sources.set(e.file, e.source);
    printErrors(
      screen,
      errors.flatMap((e) => (e instanceof LoadErrors ? e.errors : [e])),
      sources,
    );
    return undefined;
  }
  return { environments, loaded, matrix, matrixFile };
}

async function coversChecker(matrix: MatrixFile, file: string) {
  const { coverIndex, coverNames, normalizePoint, suggestPoint } = await import('../../matrix/load.js');
  const index = coverIndex(matrix);
  const names = coverNames(matrix);
  return (covers: { value: string; location: Location }[]): FlowrunError[] =>
    covers
      .filter((c) => !index.has(normalizePoint(c.value)))
      .map((c) => {
        const guess = suggestPoint(c.value, names);
        return new LoadError(`covers "${c.value}" is not a point of ${file}`, {
          code: 'E_COVERS',
          location: c.location,
          hint: guess ? `did you mean "${guess}"?` : `add it to ${file} or fix the name`,
        });
      });
}

/**
 * The project around a command: `.env` loaded first (environment files render {{env.NAME}} from
 * the process environment), then flowrun.config.yaml (or --config).
 */
export async function projectContext(
  o: Record<string, unknown>,
): Promise<{ cwd: string; config: ProjectConfig }> {
  const cwd = process.cwd();
  loadDotenv(cwd);
  return { cwd, config: await loadProjectConfig(cwd, o.config as string | undefined) };
}
