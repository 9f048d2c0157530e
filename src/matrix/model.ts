import type { RunResult, ScenarioResult } from '../types.js';
import { coverIndex, normalizePoint, type MatrixFile } from './load.js';

/** A cell's verdict; `not-covered` means no scenario instance names the point in that environment. */
export type CellStatus = 'passed' | 'failed' | 'flaky' | 'skipped' | 'not-covered';

export interface MatrixCell {
  status: CellStatus;
  /** Ids of the scenario instances behind the cell, in run order. */
  scenarios: string[];
}

export interface MatrixRow {
  point: string;
  group: string;
  subgroup?: string;
  /** One cell per environment, keyed by environment name. */
  cells: Record<string, MatrixCell>;
  /** The worst cell across environments (failed > flaky > passed > skipped > not covered). */
  status: CellStatus;
}

export interface CoverageCounts {
  points: number;
  /** Points with at least one scenario that ran (passed, failed or flaky) in some environment. */
  covered: number;
  /** Covered points with no failed cell. */
  passing: number;
  failed: number;
  /** Points whose scenarios were all skipped. */
  skipped: number;
  notCovered: number;
  /** covered / points in percent, one decimal; 100 for a group without points. */
  coverage: number;
}

export interface MatrixGroupModel extends CoverageCounts {
  name: string;
  subgroups: string[];
}

/** The matrix as reports show it: plain JSON, the same for every renderer and the JSON report. */
export interface MatrixModel {
  kind: 'flowrun-matrix';
  file: string;
  environments: string[];
  groups: MatrixGroupModel[];
  /** Every point in file order. */
  rows: MatrixRow[];
  totals: CoverageCounts;
  /** `covers:` entries that name nothing in the matrix (the loader normally rejects these first). */
  unknownCovers: { scenario: string; entry: string }[];
}

const SEVERITY: Record<CellStatus, number> = { 'not-covered': 0, skipped: 1, passed: 2, flaky: 3, failed: 4 };
const worst = (a: CellStatus, b: CellStatus): CellStatus => (SEVERITY[a] >= SEVERITY[b] ? a : b);

/** A scenario's status as a cell status (the same names; kept as a function for clarity). */
const asCell = (s: ScenarioResult): CellStatus => s.status;

/**
 * Every point × every environment run. A cell takes its worst scenario: one failed scenario
 * makes it failed even when others passed; flaky beats passed; skipped only when every
 * scenario behind it was skipped. Pure: no I/O, same input → same output.
 */
export function buildMatrix(matrix: MatrixFile, result: RunResult): MatrixModel {
  const environments = [...result.environments];
  for (const s of result.scenarios)
    if (!environments.includes(s.environment)) environments.push(s.environment);

  const index = coverIndex(matrix);
  const cells = new Map<string, Map<string, MatrixCell>>();
  for (const p of matrix.points) {
    cells.set(p.name, new Map(environments.map((env) => [env, { status: 'not-covered', scenarios: [] }])));
  }
  const unknownCovers: MatrixModel['unknownCovers'] = [];
  for (const s of result.scenarios) {
    const points = new Set<string>();
    for (const entry of s.covers) {
      const named = index.get(normalizePoint(entry));
      if (!named) unknownCovers.push({ scenario: s.id, entry });
      for (const p of named ?? []) points.add(p);
    }
    for (const p of points) {
      const cell = cells.get(p)!.get(s.environment)!;
      cell.scenarios.push(s.id);
      cell.status = cell.status === 'not-covered' ? asCell(s) : worst(cell.status, asCell(s));
    }
  }

  const rows: MatrixRow[] = matrix.points.map((p) => {
    const byEnv = cells.get(p.name)!;
    const row: MatrixRow = {
      point: p.name,
      group: p.group,
      cells: Object.fromEntries(byEnv),
      status: [...byEnv.values()].reduce<CellStatus>((acc, c) => worst(acc, c.status), 'not-covered'),
    };
    if (p.subgroup !== undefined) row.subgroup = p.subgroup;
    return row;
  });

  const groups = matrix.groups.map((g) => ({
    name: g.name,
    subgroups: [...g.subgroups],
    ...count(rows.filter((r) => r.group === g.name)),
  }));
  return {
    kind: 'flowrun-matrix',
    file: matrix.file,
    environments,
    groups,
    rows,
    totals: count(rows),
    unknownCovers,
  };
}

function count(rows: MatrixRow[]): CoverageCounts {
  const covered = rows.filter((r) => r.status === 'passed' || r.status === 'failed' || r.status === 'flaky');
  const failed = rows.filter((r) => r.status === 'failed').length;
  return {
    points: rows.length,
    covered: covered.length,
    passing: covered.length - failed,
    failed,
    skipped: rows.filter((r) => r.status === 'skipped').length,
    notCovered: rows.filter((r) => r.status === 'not-covered').length,
    coverage: rows.length === 0 ? 100 : Math.round((covered.length / rows.length) * 1000) / 10,
  };
}

/** True when `value` is a MatrixModel (e.g. read back from a JSON report for a replay). */
export function isMatrixModel(value: unknown): value is MatrixModel {
  return (
    typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'flowrun-matrix'
  );
}
