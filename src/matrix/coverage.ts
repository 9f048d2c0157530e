import path from 'node:path';
import chalk, { Chalk } from 'chalk';
import type { Screen } from '../types.js';
import { coverIndex, loadMatrix, normalizePoint, suggestPoint } from './load.js';

export interface MatrixCommandOptions {
  matrixFile: string;
  /** Every parsed scenario (one entry per scenario file and name, parameters not expanded). */
  scenarioCovers: { scenario: string; file: string; covers: string[] }[];
  screen: Screen;
  /** Exit 1 when some point has no scenario (for CI that requires full coverage). */
  failOnUncovered?: boolean;
}

/**
 * `flowrun matrix`: which points no scenario covers, without running anything. Exit code 0;
 * 2 when a covers entry names no point; 1 for uncovered points only with `failOnUncovered`.
 * Entries with templates (`{{gateway}}`) are resolved by the scenario parser before this.
 */
export async function matrixCommand(options: MatrixCommandOptions): Promise<number> {
  const { screen } = options;
  const c = screen.color ? new Chalk({ level: chalk.level || 1 }) : new Chalk({ level: 0 });
  const matrix = await loadMatrix(
    options.matrixFile,
    path.relative(process.cwd(), options.matrixFile) || options.matrixFile,
  );
  const index = coverIndex(matrix);

  const coveredBy = new Map<string, string[]>(matrix.points.map((p) => [p.name, []]));
  const unknown: string[] = [];
  for (const s of options.scenarioCovers) {
    for (const entry of s.covers) {
      const named = index.get(normalizePoint(entry));
      if (!named) {
        const hint = suggestPoint(entry, [...index.keys()]);
        unknown.push(`${s.file}: "${entry}" in ${s.scenario}${hint ? ` (did you mean "${hint}"?)` : ''}`);
        continue;
      }
      for (const p of named) if (!coveredBy.get(p)!.includes(s.scenario)) coveredBy.get(p)!.push(s.scenario);
    }
  }

  const total = matrix.points.length;
  const missing = matrix.points.filter((p) => coveredBy.get(p.name)!.length === 0);
  const covered = total - missing.length;
  const pct = total === 0 ? 100 : Math.round((covered / total) * 1000) / 10;
  screen.out(c.bold(`Integration matrix ${matrix.file}: ${covered}/${total} points covered (${pct}%)`));
  for (const group of matrix.groups) {
    const inGroup = matrix.points.filter((p) => p.group === group.name);
    const holes = inGroup.filter((p) => coveredBy.get(p.name)!.length === 0);
    const line = `  ${group.name}: ${inGroup.length - holes.length}/${inGroup.length}`;
    screen.out(holes.length ? c.yellow(line) : c.green(line));
    for (const p of holes) {
      const where = p.subgroup ? ` (${p.subgroup})` : '';
      screen.out(
        c.red(`    not covered: ${p.name}${where}`) + c.dim(`  ${p.location.file}:${p.location.line}`),
      );
    }
  }
  if (unknown.length) {
    screen.out(
      c.red(`${unknown.length} covers entr${unknown.length === 1 ? 'y names' : 'ies name'} no point:`),
    );
    for (const u of unknown) screen.out(`  ${u}`);
  }
  if (missing.length === 0 && unknown.length === 0)
    screen.out(c.green('Every integration point has a scenario.'));
  if (unknown.length) return 2;
  return missing.length && options.failOnUncovered ? 1 : 0;
}
