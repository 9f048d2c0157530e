import chalk, { Chalk, type ChalkInstance } from 'chalk';
import type { CellStatus, MatrixModel } from '../../matrix/model.js';

const WIDTH = 100;
const MIN_POINT = 18;

const CELL: Record<
  CellStatus,
  { mark: string; word: string; paint: (c: ChalkInstance, s: string) => string }
> = {
  passed: { mark: '✓', word: 'pass', paint: (c, s) => c.green(s) },
  failed: { mark: '✗', word: 'FAIL', paint: (c, s) => c.red.bold(s) },
  flaky: { mark: '~', word: 'flaky', paint: (c, s) => c.yellow(s) },
  skipped: { mark: '-', word: 'skip', paint: (c, s) => c.cyan(s) },
  'not-covered': { mark: '·', word: 'none', paint: (c, s) => c.gray(s) },
};

/** Visible width: chalk's escapes take no columns. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const visible = (s: string): number => [...s.replace(ANSI, '')].length;
const pad = (s: string, width: number): string => s + ' '.repeat(Math.max(0, width - visible(s)));
const fit = (s: string, width: number): string => {
  const chars = [...s];
  return chars.length <= width ? s : `${chars.slice(0, Math.max(1, width - 1)).join('')}…`;
};

/** A comma-separated list after a label, wrapped to `width` with a hanging indent. */
function wrap(label: string, items: string[], width: number): string[] {
  const lines: string[] = [];
  let line = label;
  items.forEach((item, i) => {
    const text = fit(item, width - visible(label) - 1) + (i < items.length - 1 ? ',' : '');
    if (visible(line) + 1 + visible(text) > width && line.trim() !== label.trim()) {
      lines.push(line);
      line = '  ';
    }
    line += line === label || line === '  ' ? text : ` ${text}`;
  });
  lines.push(line);
  return lines;
}

/**
 * The matrix as a terminal table no wider than 100 columns (or the terminal, if narrower):
 * groups as sections with their coverage, one row per point, one column per environment.
 * Words next to the symbols keep it readable without colour. Too many environments for one
 * table are split into several tables of the same rows.
 */
export function renderMatrixTable(m: MatrixModel, options: { color: boolean; columns?: number }): string {
  const c = options.color ? new Chalk({ level: chalk.level || 1 }) : new Chalk({ level: 0 });
  const width = Math.max(60, Math.min(WIDTH, options.columns || WIDTH));
  const lines: string[] = [];
  const t = m.totals;
  const headline = `Integration matrix  ${t.covered}/${t.points} points covered (${t.coverage}%)`;
  lines.push(c.bold(headline) + c.dim(`  ${fit(m.file, Math.max(0, width - headline.length - 2))}`));

  const envWidth = (env: string) => Math.max(10, Math.min(16, [...env].length + 2));
  const longest = Math.max(
    MIN_POINT,
    ...m.rows.map((r) => [...r.point].length + (r.subgroup !== undefined ? 6 : 4)),
  );
  const envs = m.environments.length ? m.environments : ['(none)'];
  // Pages of environments that fit beside a point column of at least MIN_POINT.
  const pages: string[][] = [];
  let page: string[] = [];
  let used = MIN_POINT;
  for (const env of envs) {
    if (page.length && used + envWidth(env) > width) {
      pages.push(page);
      page = [];
      used = MIN_POINT;
    }
    page.push(env);
    used += envWidth(env);
  }
  pages.push(page);

  for (const envPage of pages) {
    const envCols = envPage.reduce((sum, e) => sum + envWidth(e), 0);
    const pointWidth = Math.min(longest, width - envCols);
    lines.push('');
    lines.push(
      c.dim(
        pad('  point', pointWidth) + envPage.map((e) => pad(fit(e, envWidth(e) - 2), envWidth(e))).join(''),
      ),
    );
    for (const g of m.groups) {
      const stats = `${g.covered}/${g.points} covered (${g.coverage}%)${g.failed ? `, ${g.failed} failing` : ''}`;
      const label = fit(g.name, width - stats.length - 2);
      lines.push(`${c.bold(label)}  ${g.failed ? c.red(stats) : c.dim(stats)}`);
      let subgroup: string | undefined;
      for (const row of m.rows.filter((r) => r.group === g.name)) {
        if (row.subgroup !== undefined && row.subgroup !== subgroup) {
          subgroup = row.subgroup;
          lines.push(c.italic(`  ${fit(subgroup, width - 2)}`));
        }
        const indent = row.subgroup !== undefined ? '    ' : '  ';
        const name = pad(indent + fit(row.point, pointWidth - indent.length - 1), pointWidth);
        const cells = envPage.map((env) => {
          const cell = row.cells[env] ?? { status: 'not-covered' as CellStatus, scenarios: [] };
          const look = CELL[cell.status];
          const n = cell.scenarios.length > 1 ? ` ${cell.scenarios.length}` : '';
          const text = fit(`${look.mark} ${look.word}${n}`, envWidth(env) - 1);
          return pad(look.paint(c, text), envWidth(env));
        });
        lines.push((row.status === 'not-covered' ? c.gray(name) : name) + cells.join(''));
      }
    }
  }
  lines.push('');
  const legend = (Object.keys(CELL) as CellStatus[]).map((s) =>
    CELL[s].paint(c, `${CELL[s].mark} ${s === 'not-covered' ? 'not covered' : s}`),
  );
  lines.push(`${legend.join('  ')}  ${c.dim('(n = scenarios behind a cell)')}`);

  const failing = m.rows.flatMap((r) =>
    Object.entries(r.cells)
      .filter(([, cell]) => cell.status === 'failed')
      .map(([env]) => `${r.point} [${env}]`),
  );
  if (failing.length) lines.push(...wrap('Failing: ', failing, width).map((l) => c.red(l)));
  const missing = m.rows.filter((r) => r.status === 'not-covered').map((r) => r.point);
  if (missing.length) lines.push(...wrap('Not covered: ', missing, width).map((l) => c.yellow(l)));
  if (m.unknownCovers.length) {
    const names = [...new Set(m.unknownCovers.map((u) => u.entry))];
    lines.push(...wrap('covers entries not in the matrix: ', names, width).map((l) => c.yellow(l)));
  }
  return lines.join('\n');
}
