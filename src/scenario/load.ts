import path from 'node:path';
import { FlowrunError, formatLocation, LoadError } from '../errors.js';
import type { Location, MockExpectationSpec, ScenarioSpec, StepSpec } from '../types.js';
import { stepKinds } from '../steps/registry.js';
import { renderString } from '../template/render.js';
import { parseDuration } from '../util/time.js';
import { BUILTIN_NAMES, checkTemplates, KnownNames } from './check-templates.js';
import { parseCondition } from './control-flow.js';
import { readDataRows } from './data-file.js';
import { discover, type Target } from './discover.js';
import { flatSteps } from '../engine/control-flow.js';
import { displayName, normalizeSteps, type LoadState } from './normalize.js';
import { validateSource } from './validate.js';
import { readYamlFile, type YamlSource } from './yaml-source.js';

export interface LoadOptions {
  cwd: string;
  /** Names defined by the environment(s) and --var, visible to every template. */
  extraNames?: string[];
  /** Called for each scenario's `covers` entries (the matrix check); returns errors. */
  checkCovers?: (covers: { value: string; location: Location }[]) => FlowrunError[];
}

export interface LoadResult {
  scenarios: ScenarioSpec[];
  errors: FlowrunError[];
  sources: Map<string, YamlSource>;
  files: number;
}

/** Discovers, parses, validates and normalizes scenario files; every error is collected. */
export async function loadScenarios(paths: string[], options: LoadOptions): Promise<LoadResult> {
  const state: LoadState = { cwd: options.cwd, errors: [], sources: new Map(), flows: new Map() };
  let targets: Target[];
  try {
    targets = await discover(paths, options.cwd);
  } catch (error) {
    return { scenarios: [], errors: [error as FlowrunError], sources: state.sources, files: 0 };
  }
  const perFile = loadTargets(targets, options, state);
  const scenarios = uniqueNames(perFile.flat(), state);
  if (options.checkCovers) {
    for (const sc of scenarios) {
      state.errors.push(
        ...options.checkCovers(sc.covers.map((value, i) => ({ value, location: sc.coversLocations[i] }))),
      );
    }
  }
  // Parsed documents are only needed for code frames: kept when there is an error to show.
  if (state.errors.length === 0) state.sources.clear();
  return { scenarios, errors: state.errors, sources: state.sources, files: targets.length };
}

/**
 * Loads files one after another, synchronously: each file's parsed document becomes garbage
 * at once and dies young, so 20,000 files do not pile up in the old generation.
 */
export function loadTargets(targets: Target[], options: LoadOptions, state: LoadState): ScenarioSpec[][] {
  return targets.map((t) => loadFile(t, options, state));
}

function loadFile(target: Target, options: LoadOptions, state: LoadState): ScenarioSpec[] {
  const file = displayName(options.cwd, target.file);
  let source: YamlSource;
  try {
    source = readYamlFile(target.file, file);
  } catch (error) {
    state.errors.push(error as FlowrunError);
    return [];
  }
  // Parsed documents are not kept: a code frame reads the file again, only when there is an error.
  const errors = validateSource(source, 'scenario');
  if (errors.length) {
    state.errors.push(...errors);
    return [];
  }
  const data = source.data as Record<string, any>;
  const before = state.errors.length;
  const { parameters, rows } = readParameters(data.parameters, target.file, source, state);
  const paramNames = [...Object.keys(parameters), ...columnsOf(rows)];
  const known = new KnownNames([...BUILTIN_NAMES, ...(options.extraNames ?? []), ...paramNames]);
  // vars are rendered in order: each sees the ones above it.
  for (const [k, v] of Object.entries((data.vars ?? {}) as Record<string, unknown>)) {
    checkTemplates([[v, ['vars', k]]], source, known, state.errors);
    known.add(k);
  }
  const mocks = normalizeMocks(data.mocks ?? [], source, known, state);
  const setup = normalizeSteps(
    { items: data.setup ?? [], at: ['setup'], source, phase: 'setup', known, includeStack: [target.file] },
    state,
  );
  const steps = normalizeSteps(
    { items: data.steps ?? [], at: ['steps'], source, phase: 'steps', known, includeStack: [target.file] },
    state,
  );
  const teardown = normalizeSteps(
    {
      items: data.teardown ?? [],
      at: ['teardown'],
      source,
      phase: 'teardown',
      known,
      includeStack: [target.file],
    },
    state,
  );
  const when =
    data.when !== undefined ? parseCondition(data.when, ['when'], source, known, state.errors) : undefined;
  if (typeof data.skip === 'string' && data.skip.includes('{{'))
    checkTemplates([[data.skip, ['skip']]], source, known, state.errors);
  checkTemplates([[data.covers ?? [], ['covers']]], source, new KnownNames(paramNames), state.errors);
  if (state.errors.length > before) return [];

  const instances = expand(parameters, rows);
  const out: ScenarioSpec[] = [];
  const nameAt = source.locate(['name']);
  for (const [n, params] of instances.entries()) {
    const suffix = instanceSuffix(params, Object.keys(parameters), rows !== undefined);
    const name = `${data.name}${suffix}`;
    const covers: string[] = [];
    const coversLocations: Location[] = [];
    ((data.covers ?? []) as string[]).forEach((c, i) => {
      const location = source.locate(['covers', i]);
      try {
        covers.push(String(renderString(c, params)));
        coversLocations.push(location);
      } catch (error) {
        state.errors.push(new LoadError((error as Error).message, { code: 'E_TEMPLATE', location }));
      }
    });
    out.push({
      id: `${file.split(path.sep).join('/')}#${name}`,
      name,
      file,
      location: { file, line: 1, col: 1 },
      nameLocation: instanceLocation(n, parameters, source) ?? nameAt,
      tags: (data.tags ?? []).map(String),
      covers,
      coversLocations,
      vars: (data.vars ?? {}) as Record<string, unknown>,
      parameters: params,
      mocks,
      setup,
      steps,
      teardown,
      skip: data.skip === true ? 'skipped' : typeof data.skip === 'string' ? data.skip : undefined,
      ...(when ? { when } : {}),
      ...(data.onFailure ? { continueOnFailure: data.onFailure === 'continue' } : {}),
      only: data.environments ?? data.only,
      writes: data.writes === true,
      requires: requirementsOf(data.requires ?? [], [...setup, ...steps, ...teardown]),
      timeoutMs: parseDuration(data.timeout),
      retries: data.retries,
      description: data.description,
    });
  }
  if (target.line !== undefined) return selectByLine(out, target.line, source);
  return out;
}

/**
 * Scenario names identify results in every report and in `flowrun merge`, so two scenarios
 * (or two instances of one) with the same name are refused, with both locations. The same
 * scenario selected twice (`a.yaml:3 a.yaml:9`) is kept once.
 */
function uniqueNames(scenarios: ScenarioSpec[], state: LoadState): ScenarioSpec[] {
  const seen = new Map<string, ScenarioSpec>();
  const out: ScenarioSpec[] = [];
  for (const sc of scenarios) {
    const first = seen.get(sc.name);
    if (!first) {
      seen.set(sc.name, sc);
      out.push(sc);
      continue;
    }
    if (formatLocation(first.nameLocation) === formatLocation(sc.nameLocation)) continue;
    const where = formatLocation(first.nameLocation ?? first.location);
    state.errors.push(
      new LoadError(`duplicate scenario name "${sc.name}": also at ${where}`, {
        code: 'E_DUPLICATE_NAME',
        location: sc.nameLocation ?? sc.location,
        hint:
          first.file === sc.file
            ? 'two parameter values give the same instance name: make the values distinct'
            : 'scenario names identify results in reports and merge: rename one of them',
      }),
    );
  }
  return out;
}

/** What the scenario needs from the environment: declared, plus what its steps name. */
function requirementsOf(declared: string[], steps: StepSpec[]): string[] {
  const all = new Set(declared);
  for (const s of flatSteps(steps)) for (const r of stepKinds[s.kind]?.requires?.(s.config) ?? []) all.add(r);
  return [...all];
}

const fmt = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * `parameters:` as lists by name, and the rows of `parameters: { file }` (a data file, path
 * relative to the scenario; a `file` whose value is a list is an ordinary parameter).
 */
function readParameters(
  raw: unknown,
  scenarioFile: string,
  source: YamlSource,
  state: LoadState,
): { parameters: Record<string, unknown[]>; rows?: Record<string, unknown>[] } {
  const parameters: Record<string, unknown[]> = {};
  let rows: Record<string, unknown>[] | undefined;
  for (const [k, v] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    if (k !== 'file' || Array.isArray(v)) {
      parameters[k] = v as unknown[];
      continue;
    }
    const file = path.resolve(state.cwd, path.dirname(scenarioFile), String(v));
    try {
      rows = readDataRows(file, displayName(state.cwd, file), source.locate(['parameters', 'file']));
    } catch (error) {
      state.errors.push(error as FlowrunError);
      rows = [];
    }
  }
  return { parameters, rows };
}

const columnsOf = (rows: Record<string, unknown>[] | undefined): string[] => {
  const names = new Set<string>();
  for (const r of rows ?? []) for (const k of Object.keys(r)) names.add(k);
  return [...names];
};

/**
 * ` [gateway=stripe, currency=RUB]`; an instance from a data-file row with a `name` column is
 * named by it (` [admin user, currency=RUB]`).
 */
function instanceSuffix(params: Record<string, unknown>, listKeys: string[], fromRows: boolean): string {
  const entries = Object.entries(params);
  if (!entries.length) return '';
  if (fromRows && typeof params.name === 'string' && params.name !== '') {
    const lists = listKeys.map((k) => `, ${k}=${fmt(params[k])}`).join('');
    return ` [${params.name}${lists}]`;
  }
  return ` [${entries.map(([k, v]) => `${k}=${fmt(v)}`).join(', ')}]`;
}

/**
 * One combination per element of the cartesian product of the parameter lists (and of the
 * data file's rows, first).
 */
export function expand(
  parameters: Record<string, unknown[]>,
  rows?: Record<string, unknown>[],
): Record<string, unknown>[] {
  let combos: Record<string, unknown>[] = rows ? rows.map((r) => ({ ...r })) : [{}];
  for (const [k, values] of Object.entries(parameters)) {
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [k]: v })));
  }
  return combos;
}

/** Where instance `n` gets its last parameter value (the one that makes its name). */
function instanceLocation(
  n: number,
  parameters: Record<string, unknown[]>,
  source: YamlSource,
): Location | undefined {
  const keys = Object.keys(parameters);
  if (keys.length === 0) return undefined;
  // expand() varies the last key fastest.
  const last = keys[keys.length - 1];
  return source.locate(['parameters', last, n % parameters[last].length]);
}

/** `file.yaml:N`: a line inside `parameters:` selects the instances with that value; else all. */
function selectByLine(list: ScenarioSpec[], line: number, source: YamlSource): ScenarioSpec[] {
  const parameters = ((source.data as Record<string, unknown>).parameters ?? {}) as Record<string, unknown[]>;
  for (const [k, values] of Object.entries(parameters)) {
    if (!Array.isArray(values)) continue;
    for (let i = 0; i < values.length; i++) {
      if (source.locate(['parameters', k, i]).line === line) {
        return list.filter((s) => JSON.stringify(s.parameters[k]) === JSON.stringify(values[i]));
      }
    }
  }
  return list;
}

function normalizeMocks(
  raw: Record<string, unknown>[],
  source: YamlSource,
  known: KnownNames,
  state: LoadState,
): MockExpectationSpec[] {
  const ids = new Set<string>();
  return raw.map((m, i) => {
    const location = source.locate(['mocks', i]);
    const id = typeof m.id === 'string' ? m.id : `mock-${i + 1}`;
    if (ids.has(id))
      state.errors.push(
        new LoadError(`duplicate mock id "${id}"`, {
          code: 'E_MOCK',
          location: source.locate(['mocks', i, 'id']),
        }),
      );
    ids.add(id);
    if (typeof m.server !== 'string') {
      state.errors.push(
        new LoadError(`mock "${id}" needs a server: (a name from the environment's mocks:)`, {
          code: 'E_MOCK',
          location,
        }),
      );
    }
    checkTemplates([[m.request, ['mocks', i, 'request']]], source, known, state.errors);
    checkTemplates(
      [
        [m.response, ['mocks', i, 'response']],
        [m.responses, ['mocks', i, 'responses']],
      ],
      source,
      known,
      state.errors,
      ['request'],
    );
    return {
      id,
      server: String(m.server ?? ''),
      request: (m.request ?? {}) as Record<string, unknown>,
      response: m.response as Record<string, unknown> | undefined,
      responses: m.responses as Record<string, unknown>[] | undefined,
      times: m.times as number | undefined,
      priority: m.priority as number | undefined,
      location,
    };
  });
}
