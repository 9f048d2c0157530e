import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpServer, json, project, runCli } from '../helpers/cli.js';

describe('honest outcomes: success rate, min-success-rate, long durations, report folder, concurrent reports', () => {
  let server: Awaited<ReturnType<typeof httpServer>>;
  before(async () => {
    server = await httpServer(async (req, res) => {
      if (req.url.startsWith('/slow')) await new Promise((r) => setTimeout(r, 300));
      json(res, req.url.startsWith('/fail') ? 500 : 200, { ok: true });
    });
  });
  after(() => server.close());
  const env = () => `name: local\nbaseUrl: ${server.url}\n`;

  it('a run where nothing ran shows the rate as n/a and says why', async () => {
    const p = await project({
      'environments/local.yaml': env(),
      'scenarios/a.yaml': 'name: A\nskip: waiting for the payments API\nsteps:\n  - http: { url: /ok }\n',
      'scenarios/b.yaml': 'name: B\nskip: waiting for the payments API\nsteps:\n  - http: { url: /ok }\n',
    });
    try {
      const r = await runCli(['--env', 'local', '-r', 'console,json,markdown'], { cwd: p.dir });
      assert.match(r.stdout, /Success rate: n\/a\n/);
      assert.doesNotMatch(r.stdout, /100\.0%/);
      assert.match(r.stdout, /0 of 2 ran: waiting for the payments API/);
      const report = JSON.parse(await readFile(path.join(p.dir, 'reports', 'flowrun.json'), 'utf8'));
      assert.equal(report.successRate, null);
      assert.match(await readFile(path.join(p.dir, 'reports', 'flowrun.md'), 'utf8'), /n\/a/);
    } finally {
      await p.cleanup();
    }
  });

  it('--min-success-rate that lets a failing run exit 0 says so and why', async () => {
    const p = await project({
      'environments/local.yaml': env(),
      'scenarios/a.yaml': 'name: A\nsteps:\n  - http: { url: /ok }\n    expect: { status: 200 }\n',
      'scenarios/b.yaml': 'name: B\nsteps:\n  - http: { url: /fail }\n    expect: { status: 200 }\n',
    });
    try {
      const r = await runCli(['--env', 'local', '--min-success-rate', '50'], { cwd: p.dir });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(
        r.stderr,
        /note: 1 scenario failed, but the success rate 50\.0% reached --min-success-rate 50%: exit 0/,
      );
      const strict = await runCli(['--env', 'local', '--min-success-rate', '51'], { cwd: p.dir });
      assert.equal(strict.code, 1);
      assert.doesNotMatch(strict.stderr, /min-success-rate/);
    } finally {
      await p.cleanup();
    }
  });

  it('durations beyond a timer: a flag is refused, a file duration waits instead of timing out at once', async () => {
    const p = await project({
      'environments/local.yaml': env(),
      'scenarios/a.yaml':
        'name: A\ntimeout: 1000h\nsteps:\n  - http: { url: /slow, timeout: 999999h }\n    expect: { status: 200 }\n',
    });
    try {
      const refused = await runCli(['--env', 'local', '--timeout', '1000h'], { cwd: p.dir });
      assert.equal(refused.code, 2);
      assert.match(
        refused.stderr,
        /invalid --timeout "1000h": longer than the longest supported duration, 596h \(about 24\.8 days/,
      );
      const big = await runCli(['--env', 'local', '--run-timeout', '2147483648'], { cwd: p.dir });
      assert.equal(big.code, 2);
      assert.match(big.stderr, /invalid --run-timeout "2147483648": longer than/);
      const ok = await runCli(['--env', 'local', '--timeout', '596h'], { cwd: p.dir });
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, /1 passed/);
    } finally {
      await p.cleanup();
    }
  });

  it('-o in a place no folder can be made fails at once with the folder named', async () => {
    const p = await project({
      'environments/local.yaml': env(),
      'scenarios/a.yaml': 'name: A\nsteps:\n  - http: { url: /ok }\n',
    });
    try {
      const started = Date.now();
      const r = await runCli(['--env', 'local', '-o', '/proc/flowrun-x', '-r', 'json'], {
        cwd: p.dir,
        timeoutMs: 15_000,
      });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(
        r.stderr,
        /cannot write reports to \/proc\/flowrun-x \(-o\): cannot create the folder \/proc\/flowrun-x: its file system does not allow new folders/,
      );
      assert.ok(Date.now() - started < 10_000);
      const file = await runCli(['--env', 'local', '-o', 'environments/local.yaml'], { cwd: p.dir });
      assert.equal(file.code, 2);
      assert.match(file.stderr, /local\.yaml: a file with that name exists/);
    } finally {
      await p.cleanup();
    }
  });

  it('two runs with the same -o leave whole report files', async () => {
    const files: Record<string, string> = { 'environments/local.yaml': env() };
    for (let i = 0; i < 40; i++)
      files[`scenarios/s${i}.yaml`] =
        `name: S${i}\nsteps:\n${'  - http: { url: /ok }\n    expect: { status: 200 }\n'.repeat(5)}`;
    const p = await project(files);
    try {
      const args = ['--env', 'local', '-r', 'json,ndjson,junit', '-o', 'shared', '--concurrency', '4'];
      const [a, b] = await Promise.all([runCli(args, { cwd: p.dir }), runCli(args, { cwd: p.dir })]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      const dir = path.join(p.dir, 'shared');
      const lines = (await readFile(path.join(dir, 'flowrun.ndjson'), 'utf8')).trim().split('\n');
      const events = lines.map((l) => JSON.parse(l) as { type: string; info?: { runId: string } });
      assert.equal(events.filter((e) => e.type === 'begin').length, 1);
      assert.equal(events.filter((e) => e.type === 'end').length, 1);
      assert.equal(events.filter((e) => e.type === 'scenarioEnd').length, 40);
      assert.equal(JSON.parse(await readFile(path.join(dir, 'flowrun.json'), 'utf8')).totals.passed, 40);
      assert.deepEqual(
        (await readdir(dir)).filter((f) => f.endsWith('.tmp')),
        [],
        'no temp file left behind',
      );
    } finally {
      await p.cleanup();
    }
  });
});
