import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpServer, json, project, runCli } from '../helpers/cli.js';

interface StepOut {
  name: string;
  status: string;
  skipReason?: string;
  iteration?: number;
  attempts: number;
  durationMs: number;
  captures: Record<string, unknown>;
  error?: { message: string; location?: { file: string; line: number; col: number } };
}
const readReport = async (dir: string) =>
  JSON.parse(await readFile(path.join(dir, 'reports/flowrun.json'), 'utf8')) as {
    scenarios: {
      name: string;
      status: string;
      skipReason?: string;
      error?: StepOut['error'];
      steps: StepOut[];
    }[];
  };
const at = (s: StepOut) => (s.error?.location ? `${s.error.location.file}:${s.error.location.line}` : '');

describe('control flow: continue after a failure, conditions, loops, waits', () => {
  let server: Awaited<ReturnType<typeof httpServer>>;
  /** Login attempts per key: the 21st and later answer 429. */
  const logins = new Map<string, number>();
  before(async () => {
    server = await httpServer((req, res) => {
      const u = new URL(req.url, 'http://x');
      if (u.pathname === '/articles')
        return json(res, 200, { articlesCount: 2, articles: [{ author: { username: 'ann' } }] });
      if (u.pathname === '/empty') return json(res, 200, { articlesCount: 0, articles: [] });
      if (u.pathname === '/broken') return json(res, 500, { error: 'boom' });
      if (u.pathname === '/login') {
        const key = u.searchParams.get('key') ?? '';
        const n = (logins.get(key) ?? 0) + 1;
        logins.set(key, n);
        return n > 20 ? json(res, 429, {}, { 'retry-after': '60' }) : json(res, 401, {});
      }
      json(res, 200, { path: u.pathname, query: Object.fromEntries(u.searchParams) });
    });
  });
  after(() => server.close());
  const env = () => `name: local\nbaseUrl: ${server.url}\n`;

  it('onFailure: continue runs later steps, reports every failure with its location, and skips steps needing a missing capture', async () => {
    const p = await project({
      'environments/local.yaml': env(),
      'scenarios/feed.yaml': `name: Articles feed
onFailure: continue
steps:
  - name: list (broken)
    http: { url: /broken }
    expect: { status: 200 }
    capture: { articlesCount: $.articlesCount }
  - name: uses the count
    http: { url: "/count/{{articlesCount}}" }
  - name: still runs
    http: { url: /articles }
    expect:
      body:
        $.articles[0].author.username: bob
  - name: runs too
    http: { url: /articles }
    expect: { status: 200 }
teardown:
  - http: { url: /cleanup }
`,
    });
    try {
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /✗ step "list \(broken\)"\s+at scenarios\/feed\.yaml:4:5/);
      assert.match(r.stdout, /status: expected 200, got 500\s+at scenarios\/feed\.yaml:6:15/);
      assert.match(r.stdout, /✗ step "still runs"\s+at scenarios\/feed\.yaml:10:5/);
      assert.match(
        r.stdout,
        /body \$\.articles\[0\]\.author\.username: expected "bob", got "ann"\s+at scenarios\/feed\.yaml:14:9/,
      );
      const [sc] = (await readReport(p.dir)).scenarios;
      assert.equal(sc.status, 'failed');
      assert.deepEqual(
        sc.steps.map((s) => [s.name, s.status, s.skipReason ?? '', at(s)]),
        [
          ['list (broken)', 'failed', '', 'scenarios/feed.yaml:6'],
          [
            'uses the count',
            'skipped',
            'needs "articlesCount", which was not captured: step "list (broken)" failed',
            '',
          ],
          ['still runs', 'failed', '', 'scenarios/feed.yaml:14'],
          ['runs too', 'passed', '', ''],
          ['GET /cleanup', 'passed', '', ''],
        ],
      );
      assert.equal(sc.error?.message, 'status: expected 200, got 500');
    } finally {
      await p.cleanup();
    }
  });

  it('continueOnFailure on one step; without it the scenario stops at the first failure (the default)', async () => {
    const p = await project({
      'environments/local.yaml': env(),
      'scenarios/a.yaml': `name: One step may fail
steps:
  - http: { url: /broken }
    continueOnFailure: true
    expect: { status: 200 }
  - http: { url: /broken }
    expect: { status: 200 }
  - http: { url: /articles }
`,
    });
    try {
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const [sc] = (await readReport(p.dir)).scenarios;
      assert.deepEqual(
        sc.steps.map((s) => [s.status, s.skipReason ?? '', at(s)]),
        [
          ['failed', '', 'scenarios/a.yaml:5'],
          ['failed', '', 'scenarios/a.yaml:7'],
          ['skipped', 'an earlier step failed', ''],
        ],
      );
    } finally {
      await p.cleanup();
    }
  });

  it('when: a false condition skips with the condition as reason, a true one runs; last is the previous response', async () => {
    const p = await project({
      'environments/local.yaml': env(),
      'scenarios/when.yaml': `name: Conditions
steps:
  - name: list articles
    http: { url: /articles }
    capture: { articlesCount: $.articlesCount }
  - name: has articles
    when: "{{gt articlesCount 0}}"
    http: { url: "/author/{{last.body.articles.0.author.username}}" }
    expect: { body: { $.path: /author/ann } }
  - name: only when empty
    when: "{{eq articlesCount 0}}"
    http: { url: /never }
  - name: previous status
    when: "{{and (eq last.status 200) (includes last.headers.content-type 'json')}}"
    http: { url: /yes }
`,
      'scenarios/skip-me.yaml': `name: Skipped by its own condition
vars: { feature: off }
when: "{{eq feature 'on'}}"
steps:
  - http: { url: /never }
`,
      'scenarios/skip-tpl.yaml': `name: Skip from a template
vars: { reason: "" }
skip: "{{reason}}"
steps:
  - http: { url: /ran-because-skip-was-empty }
`,
    });
    try {
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const report = await readReport(p.dir);
      const sc = report.scenarios.find((s) => s.name === 'Conditions')!;
      assert.deepEqual(
        sc.steps.map((s) => [s.name, s.status, s.skipReason ?? '']),
        [
          ['list articles', 'passed', ''],
          ['has articles', 'passed', ''],
          ['only when empty', 'skipped', 'condition not met: when {{eq articlesCount 0}}'],
          ['previous status', 'passed', ''],
        ],
      );
      const skipped = report.scenarios.find((s) => s.name === 'Skipped by its own condition')!;
      assert.equal(skipped.status, 'skipped');
      assert.equal(skipped.skipReason, "condition not met: when {{eq feature 'on'}}");
      assert.equal(report.scenarios.find((s) => s.name === 'Skip from a template')!.status, 'passed');
      assert.equal(server.requests.filter((q) => q.url === '/never').length, 0);
    } finally {
      await p.cleanup();
    }
  });

  it('a condition that is not a boolean fails at its location; a condition that is not one expression is a load error', async () => {
    const p = await project({
      'environments/local.yaml': env(),
      'scenarios/a.yaml': `name: Not a boolean
steps:
  - http: { url: /articles }
    capture: { articlesCount: $.articlesCount }
  - http: { url: /x }
    when: "{{articlesCount}}"
`,
    });
    const q = await project({
      'environments/local.yaml': env(),
      'scenarios/b.yaml': `name: Not one expression
steps:
  - http: { url: /x }
    when: "count is {{gt count 0}}"
  - http: { url: /y }
    when: "{{gt cuont 0}}"
    capture: { count: $.n }
`,
    });
    try {
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(
        r.stdout,
        /when "\{\{articlesCount\}\}" must give true or false, got 2[^\n]*\s+at scenarios\/a\.yaml:6:11/,
      );
      const bad = await runCli(['--env', 'local'], { cwd: q.dir });
      assert.equal(bad.code, 2, bad.stdout + bad.stderr);
      assert.match(
        bad.stderr,
        /scenarios\/b\.yaml:4:11: error: when must be one \{\{expression\}\} giving true or false/,
      );
      assert.match(
        bad.stderr,
        /scenarios\/b\.yaml:6:11: error: unknown variable "cuont" in "\{\{gt cuont 0\}\}"/,
      );
    } finally {
      await p.cleanup();
      await q.cleanup();
    }
  });

  it('repeat until 429 stops at the request that was limited and captures and asserts the count; never holding fails', async () => {
    const p = await project({
      'environments/local.yaml': env(),
      'scenarios/limit.yaml': `name: Login is rate-limited
steps:
  - name: login is rate-limited
    repeat: { times: 30, until: { status: 429 } }
    http: { method: POST, url: "/login?key=a&i={{iteration}}" }
    expect:
      iterations: 21
      headers: { retry-after: "60" }
    capture: { attemptsUntil429: { iterations: true } }
  - name: report the count
    http: { url: "/count/{{attemptsUntil429}}" }
    expect: { body: { $.path: /count/21 } }
`,
      'scenarios/never.yaml': `name: Never limited
steps:
  - name: five tries
    repeat: { times: 5, until: { status: 429 } }
    http: { method: POST, url: "/login?key=b" }
`,
    });
    try {
      const r = await runCli(['--env', 'local', 'scenarios/limit.yaml'], { cwd: p.dir });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(logins.get('a'), 21, 'stops at the first 429');
      const [sc] = (await readReport(p.dir)).scenarios;
      assert.equal(sc.steps[0].attempts, 21);
      assert.deepEqual(sc.steps[0].captures, { attemptsUntil429: 21 });
      const lastUrl = server.requests.filter((q) => q.url.startsWith('/login?key=a')).at(-1)!.url;
      assert.equal(lastUrl, '/login?key=a&i=20', '{{iteration}} is 0-based and rendered per iteration');

      const n = await runCli(['--env', 'local', 'scenarios/never.yaml'], { cwd: p.dir });
      assert.equal(n.code, 1, n.stdout + n.stderr);
      assert.equal(logins.get('b'), 5);
      assert.match(
        n.stdout,
        /status: expected 429, got 401\s+at scenarios\/never\.yaml:4:34\n\s+repeat\.until never held in 5 iterations; last observed: status: expected 429, got 401\s+at scenarios\/never\.yaml:4:5\n\s+repeat: 5 of at most 5 iterations/,
      );
    } finally {
      await p.cleanup();
    }
  });

  it('forEach over a CSV file and over a list; repeat N; each iteration reported with its number', async () => {
    const p = await project({
      'environments/local.yaml': env(),
      'scenarios/data/products.csv': 'sku,qty\nSKU-1,2\n"SKU,2",3\nSKU-3,1\n',
      'scenarios/each.yaml': `name: Each product
vars:
  colours: [red, green]
steps:
  - name: order
    forEach: { items: { file: data/products.csv }, as: product }
    http: { url: "/order/{{product.sku}}?qty={{product.qty}}&i={{iteration}}" }
    expect:
      body: { $.query.qty: { ne: "3" } }
    continueOnFailure: true
  - name: colour
    forEach: { items: "{{colours}}", as: colour }
    http: { url: "/colour/{{colour}}" }
  - name: ping
    repeat: 2
    http: { url: "/ping/{{iteration}}" }
`,
    });
    try {
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const [sc] = (await readReport(p.dir)).scenarios;
      assert.deepEqual(
        sc.steps.map((s) => [s.name, s.status, s.iteration]),
        [
          ['order [product={"sku":"SKU-1","qty":"2"}]', 'passed', 0],
          ['order [product={"sku":"SKU,2","qty":"3"}]', 'failed', 1],
          ['order [product={"sku":"SKU-3","qty":"1"}]', 'passed', 2],
          ['colour [colour=red]', 'passed', 0],
          ['colour [colour=green]', 'passed', 1],
          ['ping [1/2]', 'passed', 0],
          ['ping [2/2]', 'passed', 1],
        ],
      );
      assert.match(r.stdout, /✗ step "order \[product=\{"sku":"SKU,2","qty":"3"\}\]"/);
      const urls = server.requests.map((q) => q.url);
      for (const u of [
        '/order/SKU-1?qty=2&i=0',
        '/order/SKU,2?qty=3&i=1',
        '/order/SKU-3?qty=1&i=2',
        '/ping/1',
      ])
        assert.ok(urls.includes(u), `${u} in ${urls.join(' ')}`);
    } finally {
      await p.cleanup();
    }
  });

  it('wait pauses, and is cut short by the scenario deadline', async () => {
    const p = await project({
      'environments/local.yaml': env(),
      'scenarios/wait.yaml': `name: Waits
timeout: 1s
steps:
  - wait: 200ms
  - wait: { duration: 30s, reason: let the cache expire }
  - http: { url: /after-wait }
`,
    });
    try {
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const [sc] = (await readReport(p.dir)).scenarios;
      assert.deepEqual(
        sc.steps.map((s) => [s.name, s.status]),
        [
          ['wait 200ms', 'passed'],
          ['wait 30s (let the cache expire)', 'failed'],
          ['GET /after-wait', 'skipped'],
        ],
      );
      assert.match(
        sc.steps[1].error!.message,
        /^wait 30\.0s cut short after \d+ms: scenario timed out after 1\.00s$/,
      );
      assert.equal(at(sc.steps[1]), 'scenarios/wait.yaml:5');
      assert.ok(sc.steps[0].durationMs >= 200, `waited ${sc.steps[0].durationMs}ms`);
      assert.ok(sc.steps[1].durationMs < 2000, `cut short after ${sc.steps[1].durationMs}ms`);
      assert.match(r.stdout, /scenario timed out after 1\.00s/);
    } finally {
      await p.cleanup();
    }
  });
});
