/**
 * The report page's script, inlined. Plain ES2019 for any current browser; written without
 * template literals because it lives inside one. It renders lazily: the list shows a page of
 * rows at a time, and a scenario's steps are built only when it is expanded, so a report of
 * thousands of scenarios opens and filters at once.
 */
export const clientScript = String.raw`
(function () {
  'use strict';
  var DATA = JSON.parse(document.getElementById('flowrun-data').textContent);
  var PAGE = 100;
  var run = DATA.run, scenarios = DATA.scenarios, matrix = DATA.matrix;
  var multiEnv = run.environments.length > 1;
  var state = { q: '', status: '', env: '', tag: '', ids: null, idsLabel: '', shown: PAGE, open: {} };
  // Failures first, then flaky, then the rest, each in run order: what a reader looks for first.
  var RANK = { failed: 0, flaky: 1, passed: 2, skipped: 3 };
  var ordered = scenarios.slice().sort(function (a, b) { return (RANK[a.status] - RANK[b.status]) || (a.i - b.i); });
  var filtered = ordered;
  var $ = function (id) { return document.getElementById(id); };

  function esc(v) {
    return String(v).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function dur(ms) {
    if (ms < 1000) return Math.round(ms) + 'ms';
    if (ms < 60000) return (ms / 1000).toFixed(2) + 's';
    return Math.floor(ms / 60000) + 'm' + Math.round((ms % 60000) / 1000) + 's';
  }
  function pretty(v) {
    if (v === undefined) return '';
    if (typeof v === 'string') return v;
    try { return JSON.stringify(v, null, 2); } catch (e) { return String(v); }
  }
  function json(v) { return v === undefined ? 'undefined' : JSON.stringify(v); }
  function params(p) {
    var keys = Object.keys(p || {});
    return keys.length ? ' (' + keys.map(function (k) { return k + '=' + (typeof p[k] === 'string' ? p[k] : json(p[k])); }).join(', ') + ')' : '';
  }

  // One lowercase haystack per scenario, computed once: filtering is then a substring test.
  scenarios.forEach(function (s) {
    s.hay = (s.name + ' ' + params(s.params) + ' ' + s.file + ' ' + s.env + ' ' + s.tags.join(' ') + ' ' +
      s.covers.join(' ') + ' ' + s.status + ' ' + (s.failure ? s.failure.message : '')).toLowerCase();
  });

  function summary() {
    var t = run.totals;
    var cards = [['scenarios', t.scenarios, ''], ['passed', t.passed, 'passed'], ['failed', t.failed, 'failed'],
      ['flaky', t.flaky, 'flaky'], ['skipped', t.skipped, 'skipped'], ['success rate', (run.successRate === null ? 'n/a' : run.successRate.toFixed(1) + '%'), ''],
      ['duration', dur(run.durationMs), '']];
    var html = cards.map(function (c) {
      return '<div class="card ' + c[2] + '" data-card="' + esc(c[0]) + '"><b>' + esc(c[1]) + '</b>' + esc(c[0]) + '</div>';
    }).join('');
    $('cards').innerHTML = html;
    var banners = '';
    if (run.interrupted) banners += '<div class="banner warn">The run was interrupted; the results are partial.</div>';
    (run.errors || []).forEach(function (e) {
      banners += '<div class="banner">' + esc(e.message) + (e.location ? ' <span class="loc">' + esc(e.location.file + ':' + e.location.line) + '</span>' : '') + '</div>';
    });
    $('banners').innerHTML = banners;
  }

  function renderMatrix() {
    if (!matrix) { $('matrix-section').hidden = true; return; }
    var envs = matrix.environments;
    var t = matrix.totals;
    $('matrix-title').textContent = 'Integration matrix: ' + t.covered + '/' + t.points + ' points covered (' + t.coverage + '%)';
    var h = ['<table class="matrix" id="matrix"><thead><tr><th>point</th>'];
    envs.forEach(function (e) { h.push('<th>' + esc(e) + '</th>'); });
    h.push('</tr></thead><tbody>');
    matrix.groups.forEach(function (g) {
      h.push('<tr class="group"><th colspan="' + (envs.length + 1) + '">' + esc(g.name) + ' <span class="loc">' +
        g.covered + '/' + g.points + ' covered (' + g.coverage + '%)' + (g.failed ? ', ' + g.failed + ' failing' : '') + '</span></th></tr>');
      var sub = null;
      matrix.rows.forEach(function (r, ri) {
        if (r.group !== g.name) return;
        if (r.subgroup !== undefined && r.subgroup !== sub) {
          sub = r.subgroup;
          h.push('<tr><td class="point" colspan="' + (envs.length + 1) + '"><i>' + esc(sub) + '</i></td></tr>');
        }
        h.push('<tr><td class="point' + (r.subgroup !== undefined ? ' sub' : '') + '">' + esc(r.point) + '</td>');
        envs.forEach(function (e) {
          var c = r.cells[e] || { status: 'not-covered', scenarios: [] };
          var label = c.status === 'not-covered' ? '—' : c.status + (c.scenarios.length > 1 ? ' ' + c.scenarios.length : '');
          h.push('<td class="cell ' + c.status + '" data-row="' + ri + '" data-env="' + esc(e) + '" title="' +
            esc(r.point + ' [' + e + ']: ' + c.scenarios.length + ' scenario(s)') + '">' + esc(label) + '</td>');
        });
        h.push('</tr>');
      });
    });
    h.push('</tbody></table><div class="legend"><i style="background:var(--pass)"></i>passed<i style="background:var(--fail)"></i>failed' +
      '<i style="background:var(--flaky)"></i>flaky<i style="background:var(--skip)"></i>skipped<i style="background:var(--soft);border:1px solid var(--line)"></i>not covered' +
      ' · click a cell to list its scenarios</div>');
    $('matrix-wrap').innerHTML = h.join('');
    $('matrix').addEventListener('click', function (ev) {
      var td = ev.target.closest('td.cell');
      if (!td || td.classList.contains('not-covered')) return;
      var row = matrix.rows[Number(td.getAttribute('data-row'))];
      var env = td.getAttribute('data-env');
      state.ids = {};
      row.cells[env].scenarios.forEach(function (id) { state.ids[id] = true; });
      state.idsLabel = row.point + ' [' + env + ']';
      apply();
      $('filters').scrollIntoView();
    });
  }

  function options() {
    var envs = {}, tags = {};
    scenarios.forEach(function (s) { envs[s.env] = 1; s.tags.forEach(function (t) { tags[t] = 1; }); });
    $('env').innerHTML = '<option value="">all environments</option>' + Object.keys(envs).sort().map(function (e) {
      return '<option value="' + esc(e) + '">' + esc(e) + '</option>'; }).join('');
    $('tag').innerHTML = '<option value="">all tags</option>' + Object.keys(tags).sort().map(function (t) {
      return '<option value="' + esc(t) + '">' + esc(t) + '</option>'; }).join('');
  }

  function apply() {
    var words = state.q.toLowerCase().split(/\s+/).filter(Boolean);
    filtered = ordered.filter(function (s) {
      if (state.status && s.status !== state.status) return false;
      if (state.env && s.env !== state.env) return false;
      if (state.tag && s.tags.indexOf(state.tag) < 0) return false;
      if (state.ids && !state.ids[s.id]) return false;
      for (var i = 0; i < words.length; i++) if (s.hay.indexOf(words[i]) < 0) return false;
      return true;
    });
    state.shown = PAGE;
    $('cell-filter').hidden = !state.ids;
    $('cell-filter').textContent = state.ids ? 'matrix: ' + state.idsLabel + ' ✕' : '';
    renderList();
  }

  function rowHtml(s) {
    var name = s.name + params(s.params);
    var h = '<div class="row" data-i="' + s.i + '"><div class="head"><span class="badge ' + esc(s.status) + '">' + esc(s.status) +
      '</span><span class="name" title="' + esc(name) + '">' + esc(name) + '</span>' +
      (multiEnv ? '<span class="env">' + esc(s.env) + '</span>' : '') +
      s.tags.map(function (t) { return '<span class="tag">' + esc(t) + '</span>'; }).join('') +
      '<span class="loc">' + esc(s.where) + '</span><span class="dur">' + dur(s.durationMs) + '</span></div>';
    if (s.failure) h += '<div class="fail-line">' + esc(s.failure.message) + ' <span class="loc">' + esc(s.failure.where) + '</span></div>';
    if (s.status === 'skipped' && s.skipReason) h += '<div class="fail-line" style="color:var(--skip)">skipped: ' + esc(s.skipReason) + '</div>';
    if (state.open[s.i]) h += '<div class="details">' + details(s) + '</div>';
    return h + '</div>';
  }

  function renderList() {
    var page = filtered.slice(0, state.shown);
    $('list').innerHTML = page.length ? page.map(rowHtml).join('') : '<div class="empty">No scenario matches the filters.</div>';
    $('count').textContent = filtered.length + ' of ' + scenarios.length + ' scenarios';
    var rest = filtered.length - page.length;
    $('more').hidden = rest <= 0;
    $('more').textContent = 'Show ' + Math.min(PAGE, rest) + ' more (' + rest + ' hidden)';
  }

  function headersTable(hs) {
    var keys = Object.keys(hs || {});
    if (!keys.length) return '';
    return '<table class="kv">' + keys.map(function (k) { return '<tr><th>' + esc(k) + '</th><td>' + esc(hs[k]) + '</td></tr>'; }).join('') + '</table>';
  }

  function diffHtml(lines) {
    return '<pre class="diff">' + lines.map(function (l) {
      var cls = l[0] === '+' ? 'add' : l[0] === '-' ? 'del' : 'ctx';
      return '<span class="' + cls + '">' + esc(l[0] + ' ' + l[1]) + '</span>';
    }).join('') + '</pre>';
  }

  function stepBody(st) {
    var h = '';
    if (st.error) h += '<div class="banner">' + esc(st.error.message) + (st.error.location ? ' <span class="loc">' + esc(st.error.location.file + ':' + st.error.location.line) + '</span>' : '') + '</div>';
    if (st.skipReason) h += '<div class="loc">skipped: ' + esc(st.skipReason) + '</div>';
    if (st.assertions.length) {
      h += '<h4>Expectations</h4><table class="asserts"><tr><th></th><th>check</th><th>expected</th><th>actual</th><th>where</th></tr>';
      st.assertions.forEach(function (a) {
        h += '<tr class="' + (a.passed ? '' : 'bad') + '"><td>' + (a.passed ? '✓' : '✗') + '</td><td>' + esc(a.path) + ' <span class="loc">' + esc(a.matcher) + '</span>' +
          (a.message && !a.passed ? '<div>' + esc(a.message) + '</div>' : '') + '</td><td><code>' + esc(json(a.expected)) + '</code></td><td><code>' + esc(json(a.actual)) +
          '</code></td><td class="loc">' + (a.location ? esc(a.location.file + ':' + a.location.line) : '') + '</td></tr>';
      });
      h += '</table>';
      st.assertions.forEach(function (a) {
        if (a.diff) h += '<h4>Diff for ' + esc(a.path) + ' (- expected, + actual)</h4>' + diffHtml(a.diff);
      });
    }
    if (st.poll) {
      h += '<h4>Poll: ' + st.poll.attempts.length + ' attempts' + (st.poll.timedOut ? ', timed out after ' + dur(st.poll.timeoutMs) : '') + '</h4>' +
        '<table class="attempts"><tr><th>#</th><th>at</th><th>took</th><th>observed</th><th></th></tr>';
      st.poll.attempts.forEach(function (p) {
        h += '<tr><td>' + p.attempt + '</td><td class="loc">' + esc(p.at) + '</td><td>' + dur(p.durationMs) + '</td><td><code>' + esc(json(p.observed)) +
          '</code>' + (p.error ? ' ' + esc(p.error) : '') + '</td><td>' + (p.passed ? '✓' : '✗') + '</td></tr>';
      });
      h += '</table>';
    }
    var ex = st.exchange;
    if (ex) {
      h += '<div class="pair"><div><h4>Request: ' + esc(ex.request.method + ' ' + ex.request.url) + '</h4>' + headersTable(ex.request.headers) +
        (ex.request.body !== undefined ? '<pre class="req-body">' + esc(pretty(ex.request.body)) + '</pre>' : '') + '</div><div>';
      if (ex.response) {
        h += '<h4>Response: ' + ex.response.status + ' in ' + dur(ex.response.durationMs) + '</h4>' + headersTable(ex.response.headers) +
          '<pre class="res-body">' + esc(pretty(ex.response.body)) + '</pre>';
      } else {
        h += '<h4>No response</h4>';
      }
      h += '</div></div><h4>curl</h4><pre class="curl">' + esc(ex.curl) + '</pre>';
    }
    if (st.output !== undefined) h += '<h4>Output</h4><pre>' + esc(pretty(st.output)) + '</pre>';
    var caps = Object.keys(st.captures || {});
    if (caps.length) h += '<h4>Captured</h4>' + headersTable(caps.reduce(function (o, k) { o[k] = json(st.captures[k]); return o; }, {}));
    return h;
  }

  function details(s) {
    var h = '';
    if (s.failure) h += '<div class="banner"><b>' + esc(s.failure.message) + '</b> <span class="loc">' + esc(s.failure.where) + '</span></div>';
    h += '<div class="loc">' + esc(s.id) + ' · ' + esc(s.startedAt) + (s.attempts > 1 ? ' · attempt ' + s.attempts : '') +
      (s.covers.length ? ' · covers: ' + esc(s.covers.join(', ')) : '') + '</div>';
    if (!s.steps.length) return h + '<div class="empty">No steps ran.</div>';
    // Timeline: each bar placed by its start time and sized by its duration within the scenario.
    var t0 = Date.parse(s.steps[0].startedAt), end = t0;
    s.steps.forEach(function (st) { var a = Date.parse(st.startedAt); t0 = Math.min(t0, a); end = Math.max(end, a + st.durationMs); });
    var span = Math.max(1, end - t0);
    s.steps.forEach(function (st, k) {
      var left = ((Date.parse(st.startedAt) - t0) / span) * 100, width = (st.durationMs / span) * 100;
      var mark = st.status === 'passed' ? '✓' : st.status === 'failed' ? '✗' : st.status === 'skipped' ? '–' : '~';
      var open = st.status === 'failed';
      h += '<div class="step" data-k="' + k + '"><div class="shead"><span class="mark ' + esc(st.status) + '">' + mark + '</span><span>' +
        (st.phase !== 'steps' ? '<span class="loc">' + esc(st.phase) + '</span> ' : '') + esc(st.name) + ' <span class="loc">' + esc(st.kind) + ' · ' +
        esc(st.location.file + ':' + st.location.line) + (st.attempts > 1 ? ' · ' + st.attempts + ' attempts' : '') + '</span></span>' +
        '<span class="track"><span class="bar ' + esc(st.status) + '" style="left:' + left.toFixed(2) + '%;width:' + Math.min(100 - left, width).toFixed(2) + '%"></span></span>' +
        '<span class="dur">' + dur(st.durationMs) + '</span></div><div class="sbody"' + (open ? '' : ' hidden') + '>' + (open ? stepBody(st) : '') + '</div></div>';
    });
    return h;
  }

  $('list').addEventListener('click', function (ev) {
    var rowEl = ev.target.closest('.row');
    if (!rowEl) return;
    var s = scenarios[Number(rowEl.getAttribute('data-i'))];
    var shead = ev.target.closest('.shead');
    if (shead) {
      var stepEl = shead.parentNode, body = stepEl.querySelector('.sbody');
      if (!body.innerHTML) body.innerHTML = stepBody(s.steps[Number(stepEl.getAttribute('data-k'))]);
      body.hidden = !body.hidden;
      return;
    }
    if (!ev.target.closest('.head')) return;
    var d = rowEl.querySelector('.details');
    if (d) { d.remove(); delete state.open[s.i]; return; }
    state.open[s.i] = true;
    rowEl.insertAdjacentHTML('beforeend', '<div class="details">' + details(s) + '</div>');
  });
  $('q').addEventListener('input', function () { state.q = this.value; apply(); });
  $('status').addEventListener('change', function () { state.status = this.value; apply(); });
  $('env').addEventListener('change', function () { state.env = this.value; apply(); });
  $('tag').addEventListener('change', function () { state.tag = this.value; apply(); });
  $('cell-filter').addEventListener('click', function () { state.ids = null; apply(); });
  $('more').addEventListener('click', function () { state.shown += PAGE; renderList(); });

  summary();
  renderMatrix();
  options();
  apply();
  document.body.setAttribute('data-ready', '1');
})();
`;
