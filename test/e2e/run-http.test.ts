import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpServer, json, project, runCli } from '../helpers/cli.js';

describe('flowrun run: HTTP steps, expectations, captures, polling', () => {
  let server: Awaited<ReturnType<typeof httpServer>>;
  const created = new Map<number, number>();
  let nextId = 0;

  before(async () => {
    server = await httpServer((req, res) => {
      const u = new URL(req.url, 'http://x');
      if (u.pathname === '/api/auth/register' && req.method === 'POST') {
        const body = JSON.parse(req.body) as { email: string };
        return json(res, 201, { user: { email: body.email }, access_token: `tok-${body.email}` });
      }
      if (u.pathname === '/api/orders' && req.method === 'POST') {
        if (req.headers.authorization?.startsWith('Bearer tok-') !== true)
          return json(res, 401, { error: 'no token' });
        const id = ++nextId;
        created.set(id, Date.now());
        return json(res, 201, { id, status: 'pending' }, { location: `/api/orders/${id}` });
      }
      const m = /^\/api\/orders\/(\d+)$/.exec(u.pathname);
      if (m) {
        const age = Date.now() - (created.get(Number(m[1])) ?? Date.now());
        const delay = Number(u.searchParams.get('confirmAfter') ?? 400);
        return json(res, 200, {
          id: Number(m[1]),
          status: age >= delay ? 'confirmed' : 'pending',
          items: [{ sku: 'SKU-1' }],
          total: 200,
        });
      }
      if (u.pathname === '/echo')
        return json(res, 200, {
          method: req.method,
          query: Object.fromEntries(u.searchParams),
          headers: req.headers,
          body: req.body,
        });
      json(res, 404, { error: 'not found' });
    });
  });
  after(() => server.close());

  const env = () => `name: local\nbaseUrl: ${server.url}\nhttp:\n  timeout: 5s\n`;

  it('runs a checkout: captures, bearer token, polling that succeeds late, JSON report', async () => {
    const p = await project({
      'environments/local.yaml': env(),
      'scenarios/checkout.yaml': `
name: Checkout confirms the order
tags: [smoke, orders]
vars:
  email: "buyer-{{runId}}@example.com"
steps:
  - name: register
    http:
      method: POST
      url: /api/auth/register
      json: { email: "{{email}}", password: Secret123! }
    expect:
      status: 201
      body:
        $.user.email: "{{email}}"
        $.access_token: { type: string, matches: "^tok-" }
    capture:
      token: $.access_token
  - name: place order
    http:
      method: POST
      url: /api/orders
      headers: { Authorization: "Bearer {{token}}" }
      json: { sku: SKU-1, quantity: 2 }
    expect:
      status: [201, 202]
      headers: { Location: { matches: "^/api/orders/\\\\d+$" } }
      duration: { lt: 2000 }
    capture:
      orderId: $.id
      location: { header: location }
  - name: order gets confirmed
    http:
      url: /api/orders/{{orderId}}
    poll:
      until:
        body:
          $.status: { in: [confirmed, failed] }
      interval: 100ms
      timeout: 5s
    expect:
      body:
        $.status: confirmed
        $.items: { length: 1 }
        $.total: { gt: 0 }
        $.id: "{{orderId}}"
`,
    });
    try {
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /✓ Checkout confirms the order/);
      assert.match(r.stdout, /1 passed, 0 failed \(1 total\)/);
      assert.match(r.stdout, /Success rate: 100\.0%/);
      const report = JSON.parse(await readFile(path.join(p.dir, 'reports', 'flowrun.json'), 'utf8'));
      assert.equal(report.totals.passed, 1);
      assert.equal(report.successRate, 100);
      assert.deepEqual(report.environments, ['local']);
      const [scenario] = report.scenarios;
      assert.equal(scenario.steps.length, 3);
      const pollStep = scenario.steps[2];
      assert.ok(pollStep.attempts >= 2, `expected several attempts, got ${pollStep.attempts}`);
      assert.equal(pollStep.poll.attempts.at(-1).passed, true);
      assert.equal(pollStep.poll.attempts[0].observed['body $.status'], 'pending');
      assert.equal(typeof scenario.steps[1].captures.orderId, 'number');
      assert.match(scenario.steps[1].captures.location, /^\/api\/orders\/\d+$/);
    } finally {
      await p.cleanup();
    }
  });

  it('reports a failed expectation with location, expected/actual and a curl command; exit 1', async () => {
    const p = await project({
      'environments/local.yaml': env(),
      'scenarios/fail.yaml': `name: Order has the wrong item
steps:
  - name: read order
    http:
      url: /echo
      query: { page: 2 }
    expect:
      status: 200
      body:
        $.method: POST
`,
    });
    try {
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 1);
      assert.match(r.stdout, /✗ Order has the wrong item/);
      assert.match(r.stdout, /step "read order"\s+at scenarios\/fail\.yaml:3:5/);
      assert.match(r.stdout, /body \$\.method: expected "POST", got "GET"\s+at scenarios\/fail\.yaml:10:9/);
      assert.match(r.stdout, /curl -sS -i 'http:\/\/127\.0\.0\.1:\d+\/echo\?page=2'/);
      const report = JSON.parse(await readFile(path.join(p.dir, 'reports', 'flowrun.json'), 'utf8'));
      const a = report.scenarios[0].steps[0].assertions.find((x: { passed: boolean }) => !x.passed);
      assert.deepEqual([a.expected, a.actual, a.location.line], ['POST', 'GET', 10]);
    } finally {
      await p.cleanup();
    }
  });

  it('times out a poll with the attempt count and the last observed value', async () => {
    const p = await project({
      'environments/local.yaml': env(),
      'scenarios/slow.yaml': `name: Never confirmed
steps:
  - name: create
    http: { method: POST, url: /api/orders, headers: { Authorization: Bearer tok-x } }
    capture: { id: $.id }
  - name: wait
    http: { url: "/api/orders/{{id}}?confirmAfter=60000" }
    poll:
      until: { body: { $.status: confirmed } }
      interval: 100ms
      timeout: 700ms
teardown:
  - name: cleanup call
    http: { url: /echo?cleanup=1 }
`,
    });
    try {
      const t0 = Date.now();
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 1);
      assert.ok(Date.now() - t0 < 10_000);
      assert.match(
        r.stdout,
        /poll timed out after [\d.]+(ms|s) \(timeout 700ms, \d+ attempts\); last observed: body \$\.status: expected "confirmed", got "pending"/,
      );
      assert.ok(
        server.requests.some((q) => q.url === '/echo?cleanup=1'),
        'teardown ran after the failure',
      );
      const report = JSON.parse(await readFile(path.join(p.dir, 'reports', 'flowrun.json'), 'utf8'));
      const step = report.scenarios[0].steps[1];
      assert.equal(step.poll.timedOut, true);
      assert.ok(step.attempts >= 4 && step.attempts <= 9, `attempts: ${step.attempts}`);
    } finally {
      await p.cleanup();
    }
  });

  it('skips the rest after a failure, still runs teardown, and isolates variables across parallel scenarios', async () => {
    const files: Record<string, string> = { 'environments/local.yaml': env() };
    for (let i = 0; i < 6; i++) {
      files[`scenarios/s${i}.yaml`] = `name: Parallel ${i}
vars: { who: "user${i}" }
steps:
  - http: { method: POST, url: /api/auth/register, json: { email: "{{who}}@x.io" } }
    capture: { token: $.access_token }
  - http: { url: "/echo?t={{token}}" }
    expect:
      body: { $.query.t: "tok-user${i}@x.io" }
  - http: { url: /echo }
    expect: { status: ${i === 3 ? 500 : 200} }
  - http: { url: /echo?after=${i} }
teardown:
  - http: { url: /echo?teardown=${i} }
`;
    }
    const p = await project(files);
    try {
      const r = await runCli(['--env', 'local', '-c', '4'], { cwd: p.dir });
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stdout, /5 passed, 1 failed \(6 total\)/);
      for (let i = 0; i < 6; i++)
        assert.ok(
          server.requests.some((q) => q.url === `/echo?teardown=${i}`),
          `teardown ${i}`,
        );
      assert.ok(
        !server.requests.some((q) => q.url === '/echo?after=3'),
        'steps after the failure are skipped',
      );
      const report = JSON.parse(await readFile(path.join(p.dir, 'reports', 'flowrun.json'), 'utf8'));
      const failed = report.scenarios.find((s: { name: string }) => s.name === 'Parallel 3');
      assert.deepEqual(
        failed.steps.map((s: { status: string }) => s.status),
        ['passed', 'passed', 'failed', 'skipped', 'passed'],
      );
    } finally {
      await p.cleanup();
    }
  });

  it('sends query, headers, form and raw bodies; merges environment headers; --var overrides', async () => {
    const p = await project({
      'environments/local.yaml': `${env()}  headers: { X-Run: "{{runId}}", X-Team: qa }\nvars: { team: "{{env.FLOWRUN_TEST_TEAM}}" }\n`,
      'scenarios/req.yaml': `name: Request shapes
vars: { n: 5 }
steps:
  - http: { method: PUT, url: /echo, query: { a: [1, 2] }, form: { x: "1", y: two } }
    expect:
      body:
        $.method: PUT
        $.query.a: "2"
        $.body: x=1&y=two
        $.headers.x-team: qa
        $.headers.content-type: application/x-www-form-urlencoded
  - http: { method: POST, url: "{{baseUrl}}/echo", body: "raw {{n}} {{team}}", headers: { X-N: "{{n}}" } }
    expect:
      body: { $.body: "raw 7 platform", $.headers.x-n: "7" }
`,
    });
    try {
      const r = await runCli(['--env', 'local', '--var', 'n=7'], {
        cwd: p.dir,
        env: { FLOWRUN_TEST_TEAM: 'platform' },
      });
      assert.equal(r.code, 0, r.stdout + r.stderr);
    } finally {
      await p.cleanup();
    }
  });

  it('masks secrets in console output and the JSON report', async () => {
    const p = await project({
      'environments/local.yaml': `${env()}secrets:\n  apiKey: "{{env.FLOWRUN_TEST_KEY}}"\n`,
      'scenarios/secret.yaml': `name: Uses a secret
steps:
  - http:
      method: POST
      url: "/echo?key={{secrets.apiKey}}"
      headers: { X-Signature: "{{base64 secrets.apiKey}}", Authorization: "Bearer {{secrets.apiKey}}" }
      json: { key: "{{secrets.apiKey}}" }
    expect: { status: 418 }
`,
    });
    try {
      const secret = 'sk_live_very_secret_value';
      const r = await runCli(['--env', 'local'], { cwd: p.dir, env: { FLOWRUN_TEST_KEY: secret } });
      assert.equal(r.code, 1);
      const report = await readFile(path.join(p.dir, 'reports', 'flowrun.json'), 'utf8');
      for (const text of [r.stdout, r.stderr, report]) {
        assert.ok(!text.includes(secret), 'secret leaked');
        assert.ok(!text.includes(Buffer.from(secret).toString('base64')), 'base64 of the secret leaked');
      }
      assert.match(r.stdout, /key=\*\*\*\*\*/);
      assert.ok(
        server.requests.some((q) => q.url === `/echo?key=${secret}`),
        'the real value was sent',
      );
    } finally {
      await p.cleanup();
    }
  });
});
