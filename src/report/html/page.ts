import type { MatrixModel } from '../../matrix/model.js';
import type { RunResult } from '../../types.js';
import { clientScript } from './client.js';
import { embedJson, htmlData } from './data.js';
import { styles } from './styles.js';
import { formatRate } from '../../engine/totals.js';

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * One self-contained page: styles and script inline, the results as JSON in a
 * `<script type="application/json">`. A content security policy forbids any network access,
 * so the report behaves the same from disk, from a CI artifact or from a web server.
 */
export function renderHtml(result: RunResult, matrix: MatrixModel | undefined): string {
  const t = result.totals;
  const title = `flowrun: ${t.failed ? `${t.failed} failed` : 'all passed'} · ${formatRate(result.successRate)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${styles}</style>
</head>
<body>
<header>
  <h1>${esc(title)}</h1>
  <span class="meta">run ${esc(result.runId)} · ${esc(result.startedAt)} · ${esc(result.environments.join(', ') || 'no environment')} · flowrun ${esc(result.flowrunVersion)}</span>
</header>
<main>
  <section id="summary"><div class="cards" id="cards"></div><div id="banners"></div></section>
  <section id="matrix-section"><h2 id="matrix-title">Integration matrix</h2><div id="matrix-wrap"></div></section>
  <section id="scenarios">
    <h2>Scenarios</h2>
    <div class="filters" id="filters">
      <input id="q" type="search" placeholder="Filter: name, file, tag, point, message…" aria-label="text filter">
      <select id="status" aria-label="status filter">
        <option value="">all statuses</option><option value="failed">failed</option><option value="flaky">flaky</option>
        <option value="passed">passed</option><option value="skipped">skipped</option>
      </select>
      <select id="env" aria-label="environment filter"></select>
      <select id="tag" aria-label="tag filter"></select>
      <span class="chip" id="cell-filter" hidden></span>
      <span class="count" id="count"></span>
    </div>
    <div class="list" id="list"></div>
    <button class="more" id="more" hidden></button>
  </section>
</main>
<script type="application/json" id="flowrun-data">${embedJson(htmlData(result, matrix))}</script>
<script>${clientScript}</script>
</body>
</html>
`;
}
