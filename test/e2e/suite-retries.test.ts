import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpServer, json, project, runCli } from '../helpers/cli.js';

describe('flaky handling: --retries re-runs failed scenarios, teardown between attempts, flaky is reported', () => {
  let server: Awaited<ReturnType<typeof httpServer>>;
  const calls = new Map<string, number>();
  before(async () => {
    server = await httpServer((req, res) => {
      const u = new URL(req.url, 'http://x');
      const key = u.searchParams.get('key') ?? '';
      const n = (calls.get(`${u.pathname}|${key}`) ?? 0) + 1;
      calls.set(`${u.pathname}|${key}`, n);
      // /flaky fails on its first call per key; /broken always fails.
      if (u.pathname === '/flaky') return json(res, n === 1 ? 503 : 200, { n });
      if (u.pathname === '/broken') return json(res, 500, { n });
      json(res, 200, { n });
    });
  });
  after(() => server.close());

  const scenario = (name: string, url: string, key: string) => `name: ${name}
steps:
  - http: { url: "${url}?key=${key}" }
    expect: { status: 200 }
teardown:
  - http: { url: "/teardown?key=${key}" }
`;
  const teardowns = (key: string) => calls.get(`/teardown|${key}`) ?? 0;

  it('reports a pass on retry as flaky, counts it, and runs teardown after every attempt', async () => {
    const p = await project({
      'environments/local.yaml': `name: local\nbaseUrl: ${server.url}\n`,
      'scenarios/a.yaml': scenario('Flaky one', '/flaky', 'r1'),
      'scenarios/b.yaml': scenario('Broken one', '/broken', 'r2'),
      'scenarios/c.yaml': scenario('Steady one', '/ok', 'r3'),
    });
    try {
      const r = await runCli(['--env', 'local', '--retries', '2'], { cwd: p.dir });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /⚠ Flaky one \(\d+ms\) flaky: passed on attempt 2/);
      assert.match(r.stdout, /✗ Broken one \(\d+ms\) after 3 attempts/);
      assert.match(r.stdout, /Scenarios:\s+1 passed, 1 failed, 1 flaky \(3 total\)/);
      assert.match(r.stdout, /Success rate: 66\.7%/);
      const report = JSON.parse(await readFile(path.join(p.dir, 'reports/flowrun.json'), 'utf8'));
      assert.deepEqual(report.totals, { scenarios: 3, passed: 1, failed: 1, flaky: 1, skipped: 0 });
      assert.deepEqual(
        report.scenarios.map((s: { status: string; attempts: number }) => [s.status, s.attempts]),
        [
          ['flaky', 2],
          ['failed', 3],
          ['passed', 1],
        ],
      );
      assert.equal(teardowns('r1'), 2, 'teardown after the failed attempt and after the passing one');
      assert.equal(teardowns('r2'), 3);
      assert.equal(teardowns('r3'), 1);
    } finally {
      await p.cleanup();
    }
  });

  it('without --retries the same scenario simply fails', async () => {
    const p = await project({
      'environments/local.yaml': `name: local\nbaseUrl: ${server.url}\n`,
      'scenarios/a.yaml': scenario('Flaky once more', '/flaky', 'r4'),
    });
    try {
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /0 passed, 1 failed \(1 total\)/);
      assert.equal(teardowns('r4'), 1);
    } finally {
      await p.cleanup();
    }
  });
});
