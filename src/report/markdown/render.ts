import type { MatrixModel } from '../../matrix/model.js';
import type { RunResult, ScenarioResult } from '../../types.js';
import { displayName, fileLine, firstFailure, formatDuration, stringify } from '../format/index.js';
import { formatRate } from '../../engine/totals.js';

/** GitHub caps a step summary at 1 MiB; long failure lists are cut well before that. */
const MAX_FAILURES = 50;

export const ICON: Record<string, string> = {
  passed: '✅',
  failed: '❌',
  flaky: '⚠️',
  skipped: '⏭️',
  'not-covered': '⬜',
};

/** Text that is safe inside a table cell or a line: no pipes, no newlines, no HTML. */
export const cell = (text: string): string =>
  text
    .replace(/\r?\n/g, ' ')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([*_`[\]])/g, '\\$1');

const code = (text: string): string => {
  const t = text.replace(/\r?\n/g, ' ');
  return t.includes('`') ? `\`\` ${t} \`\`` : `\`${t}\``;
};

const short = (v: unknown, max = 120): string => {
  const s = v === undefined ? 'undefined' : (JSON.stringify(v) ?? stringify(v));
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

/** The whole Markdown report: headline, totals, failed scenarios, the matrix. */
export function renderMarkdown(result: RunResult, matrix: MatrixModel | undefined): string {
  const t = result.totals;
  const multiEnv = result.environments.length > 1;
  const ok = t.failed === 0 && !result.interrupted;
  const out: string[] = [];
  out.push(
    `## ${ok ? '✅' : '❌'} flowrun: ${t.failed ? `${t.failed} failed, ` : ''}${t.passed + t.flaky} passed` +
      ` — ${formatRate(result.successRate)} success`,
    '',
    '| Scenarios | Passed | Failed | Flaky | Skipped | Success rate | Duration | Environments |',
    '|---:|---:|---:|---:|---:|---:|---:|---|',
    `| ${t.scenarios} | ${t.passed} | ${t.failed} | ${t.flaky} | ${t.skipped} | ${formatRate(result.successRate)} | ${formatDuration(result.durationMs)} | ${cell(result.environments.join(', ') || '—')} |`,
    '',
  );
  if (result.interrupted) out.push('> [!WARNING]', '> The run was interrupted; the results are partial.', '');
  for (const e of result.errors) {
    out.push(
      `> [!CAUTION]`,
      `> ${cell(e.message)}${e.location ? ` (${code(fileLine(e.location))})` : ''}`,
      '',
    );
  }

  const failed = result.scenarios.filter((s) => s.status === 'failed');
  if (failed.length) {
    out.push(`### Failed scenarios (${failed.length})`, '');
    for (const s of failed.slice(0, MAX_FAILURES)) out.push(...failure(s, multiEnv));
    if (failed.length > MAX_FAILURES)
      out.push(`- … and ${failed.length - MAX_FAILURES} more (see the HTML or JSON report)`);
    out.push('');
  }
  const flaky = result.scenarios.filter((s) => s.status === 'flaky');
  if (flaky.length) {
    out.push(`<details><summary>Flaky scenarios (${flaky.length}): passed on a retry</summary>`, '');
    for (const s of flaky.slice(0, MAX_FAILURES))
      out.push(`- ${cell(displayName(s, multiEnv))} — ${code(fileLine(s.location))}`);
    out.push('', '</details>', '');
  }
  if (matrix) out.push(...renderMatrixMarkdown(matrix));
  return `${out.join('\n').trimEnd()}\n`;
}

function failure(s: ScenarioResult, multiEnv: boolean): string[] {
  const f = firstFailure(s)!;
  const lines = [`- **${cell(displayName(s, multiEnv))}** — ${code(fileLine(f.location))}`];
  const step = f.step ? `step “${cell(f.step.name)}”: ` : '';
  lines.push(`  ${step}${cell(f.message)}`);
  if (f.assertion) {
    lines.push(`  expected ${code(short(f.assertion.expected))}, actual ${code(short(f.assertion.actual))}`);
  }
  return lines;
}

/** The matrix as a Markdown table: one row per point, a bold row per group with its coverage. */
export function renderMatrixMarkdown(m: MatrixModel): string[] {
  const envs = m.environments.length ? m.environments : ['—'];
  const out = [
    `### Integration matrix — ${m.totals.covered}/${m.totals.points} points covered (${m.totals.coverage}%)`,
    '',
    `| Point | ${envs.map(cell).join(' | ')} |`,
    `|---|${envs.map(() => ':---:').join('|')}|`,
  ];
  for (const g of m.groups) {
    out.push(
      `| **${cell(g.name)}** — ${g.covered}/${g.points} (${g.coverage}%) |${envs.map(() => ' ').join('|')}|`,
    );
    let subgroup: string | undefined;
    for (const row of m.rows.filter((r) => r.group === g.name)) {
      if (row.subgroup !== undefined && row.subgroup !== subgroup) {
        subgroup = row.subgroup;
        out.push(`| &nbsp;&nbsp;*${cell(subgroup)}* |${envs.map(() => ' ').join('|')}|`);
      }
      const pad = row.subgroup !== undefined ? '&nbsp;&nbsp;&nbsp;&nbsp;' : '&nbsp;&nbsp;';
      const cells = envs.map((env) => {
        const c = row.cells[env];
        return c
          ? `${ICON[c.status]}${c.scenarios.length > 1 ? ` ${c.scenarios.length}` : ''}`
          : ICON['not-covered'];
      });
      out.push(`| ${pad}${cell(row.point)} | ${cells.join(' | ')} |`);
    }
  }
  out.push(
    '',
    `${ICON.passed} passed · ${ICON.failed} failed · ${ICON.flaky} flaky · ${ICON.skipped} skipped · ${ICON['not-covered']} not covered · a number is the count of scenarios behind a cell`,
    '',
  );
  return out;
}
