import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpServer, json, project, runCli, startCli, until, waitCli } from '../helpers/cli.js';

/** True while `pid` runs (a zombie waiting to be reaped counts as gone: it runs nothing). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

// A service the environment starts: it records its PID so the test can check it was stopped.
const SERVICE = `require('node:fs').writeFileSync(process.env.PID_FILE, String(process.pid));
setInterval(() => {}, 1000);
`;

describe('interruption: SIGINT / SIGTERM mid-run, --timeout and --run-timeout', () => {
  let server: Awaited<ReturnType<typeof httpServer>>;
  const timers = new Set<NodeJS.Timeout>();

  before(async () => {
    server = await httpServer((req, res) => {
      const u = new URL(req.url, 'http://x');
      // Answers late: a SIGINT arrives while the request is in flight and must abort it.
      if (u.pathname === '/pending') {
        const t = setTimeout(() => json(res, 200, { status: 'pending' }), 10_000);
        timers.add(t);
        return;
      }
      if (u.pathname === '/pending-fast') return json(res, 200, { status: 'pending' });
      // Never answers within the test: a teardown stuck here needs a second Ctrl-C.
      if (u.pathname === '/hang') return;
      json(res, 200, { path: u.pathname, q: u.search });
    });
  });
  after(async () => {
    for (const t of timers) clearTimeout(t);
    await server.close();
  });

  const files = (tag: string, teardownUrl: string) => ({
    'service.cjs': SERVICE,
    'environments/local.yaml': `name: local
baseUrl: ${server.url}
services:
  helper:
    command: node service.cjs
    env: { PID_FILE: service.pid }
`,
    'scenarios/a-wait.yaml': `name: Waits for a confirmation that never comes
steps:
  - name: first
    http: { url: /first?run=${tag} }
  - name: order gets confirmed
    http: { url: /pending?run=${tag} }
    poll:
      until: { body: { $.status: confirmed } }
      interval: 100ms
      timeout: 60s
teardown:
  - name: cleanup
    http: { url: "${teardownUrl}?run=${tag}" }
`,
    'scenarios/b-next.yaml': `name: Never started\nsteps:\n  - http: { url: /next?run=${tag} }\n`,
  });

  const seen = (pathname: string, tag: string) => () =>
    server.requests.some((r) => r.url === `${pathname}?run=${tag}`);

  it('first SIGINT: aborts the in-flight poll, runs teardown, writes reports marked interrupted, stops services, exits 130', async () => {
    const p = await project(files('one', '/teardown'));
    try {
      const child = startCli(['--env', 'local', '-r', 'console,json,ndjson'], { cwd: p.dir });
      const done = waitCli(child, 30_000);
      await until(seen('/pending', 'one'), 15_000, 'the poll request in flight');
      await until(() => existsSync(path.join(p.dir, 'service.pid')), 5_000, 'the service PID file');
      const pid = Number(readFileSync(path.join(p.dir, 'service.pid'), 'utf8'));
      assert.ok(alive(pid), 'the service runs during the scenario');
      const t0 = Date.now();
      child.kill('SIGINT');
      const r = await done;
      assert.equal(r.code, 130, r.stdout + r.stderr);
      assert.ok(
        Date.now() - t0 < 5_000,
        `exited ${Date.now() - t0}ms after SIGINT: the 10 s request was aborted`,
      );
      assert.ok(seen('/teardown', 'one')(), 'the teardown request reached the server');
      assert.ok(!seen('/next', 'one')(), 'no new scenario started after the interruption');
      assert.match(r.stderr, /SIGINT: stopping — running teardown and writing reports/);
      assert.match(r.stdout, /Interrupted: the results below are what finished before the interruption/);
      const report = JSON.parse(await readFile(path.join(p.dir, 'reports/flowrun.json'), 'utf8'));
      assert.equal(report.interrupted, true);
      const [first, second] = report.scenarios;
      assert.equal(first.status, 'failed');
      assert.deepEqual(
        first.steps.map((s: { name: string; status: string }) => `${s.name}:${s.status}`),
        ['first:passed', 'order gets confirmed:failed', 'cleanup:passed'],
      );
      assert.equal(second.status, 'skipped');
      assert.equal(second.skipReason, 'not run: interrupted by SIGINT');
      const ndjson = (await readFile(path.join(p.dir, 'reports/flowrun.ndjson'), 'utf8')).trim().split('\n');
      assert.equal(JSON.parse(ndjson.at(-1)!).result.interrupted, true);
      await until(() => !alive(pid), 5_000, `the service (PID ${pid}) to be stopped`);
    } finally {
      await p.cleanup();
    }
  });

  it('second SIGINT during a stuck teardown exits at once with 130 and still stops the service', async () => {
    const p = await project(files('two', '/hang'));
    try {
      const child = startCli(['--env', 'local'], { cwd: p.dir });
      const done = waitCli(child, 30_000);
      await until(seen('/pending', 'two'), 15_000, 'the poll request in flight');
      await until(() => existsSync(path.join(p.dir, 'service.pid')), 5_000, 'the service PID file');
      const pid = Number(readFileSync(path.join(p.dir, 'service.pid'), 'utf8'));
      child.kill('SIGTERM');
      await until(seen('/hang', 'two'), 5_000, 'the teardown request');
      const t0 = Date.now();
      child.kill('SIGINT');
      const r = await done;
      assert.equal(r.code, 130, r.stdout + r.stderr);
      assert.ok(Date.now() - t0 < 3_000, `exited ${Date.now() - t0}ms after the second signal`);
      assert.match(r.stderr, /SIGTERM: stopping/);
      assert.match(r.stderr, /SIGINT again: exiting now/);
      await until(() => !alive(pid), 5_000, `the service (PID ${pid}) to be stopped`);
    } finally {
      await p.cleanup();
    }
  });

  it('--timeout fails a scenario at its deadline and still runs its teardown', async () => {
    const p = await project({
      'environments/local.yaml': `name: local\nbaseUrl: ${server.url}\n`,
      'scenarios/slow.yaml': `name: Slow one
steps:
  - http: { url: /pending-fast?run=timeout }
    poll: { until: { body: { $.status: confirmed } }, interval: 100ms, timeout: 60s }
teardown:
  - http: { url: /teardown?run=timeout }
`,
    });
    try {
      const t0 = Date.now();
      const r = await runCli(['--env', 'local', '--timeout', '1s'], { cwd: p.dir });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.ok(Date.now() - t0 < 10_000);
      assert.match(r.stdout, /✗ Slow one/);
      assert.match(r.stdout, /scenario timed out after 1.00s/);
      assert.ok(seen('/teardown', 'timeout')(), 'teardown ran after the timeout');
    } finally {
      await p.cleanup();
    }
  });

  it('--run-timeout stops the whole run: the running scenario fails, the rest are skipped with the reason', async () => {
    const scenario = (n: number) => `name: Long ${n}
steps:
  - http: { url: /pending-fast?run=runtimeout${n} }
    poll: { until: { body: { $.status: confirmed } }, interval: 100ms, timeout: 60s }
teardown:
  - http: { url: /teardown?run=runtimeout${n} }
`;
    const p = await project({
      'environments/local.yaml': `name: local\nbaseUrl: ${server.url}\n`,
      'scenarios/a.yaml': scenario(1),
      'scenarios/b.yaml': scenario(2),
    });
    try {
      const t0 = Date.now();
      const r = await runCli(['--env', 'local', '--run-timeout', '1500ms'], { cwd: p.dir });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.ok(Date.now() - t0 < 10_000);
      const report = JSON.parse(await readFile(path.join(p.dir, 'reports/flowrun.json'), 'utf8'));
      assert.equal(report.interrupted, false);
      assert.deepEqual(
        report.scenarios.map((s: { status: string }) => s.status),
        ['failed', 'skipped'],
      );
      assert.equal(report.scenarios[1].skipReason, 'not run: the run timed out after 1.50s (--run-timeout)');
      assert.match(report.scenarios[0].error.message, /the run timed out after 1\.50s \(--run-timeout\)/);
      assert.ok(seen('/teardown', 'runtimeout1')(), 'the started scenario ran its teardown');
      assert.ok(!seen('/pending-fast', 'runtimeout2')(), 'the second scenario never started');
    } finally {
      await p.cleanup();
    }
  });
});
