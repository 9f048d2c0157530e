import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { project, runCli } from '../helpers/cli.js';

describe('optional services', () => {
  it('skips scenarios that need an optional service that could not start, with the reason; the run passes', async () => {
    const emptyPath = await mkdtemp(path.join(os.tmpdir(), 'flowrun-nopath-'));
    const p = await project({
      'environments/local.yaml': `name: local
services:
  cache: { redis: local, optional: true }
redis:
  cache: { url: "{{services.cache.url}}" }
`,
      'scenarios/uses-redis.yaml': `name: Uses Redis
steps:
  - redis: { db: cache, command: [PING] }
    expect: { result: PONG }
`,
      'scenarios/declares.yaml': `name: Declares the service
requires: [services.cache]
steps:
  - http: { url: "http://127.0.0.1:9/never-called" }
`,
      'scenarios/independent.yaml': `name: Needs nothing
vars: { cacheUrl: "{{services.cache.url}}" }
steps:
  - http: { url: "data:,ok" }
    skip: only checks that the scenario runs
`,
    });
    try {
      const r = await runCli(['--env', 'local'], { cwd: p.dir, env: { PATH: emptyPath } });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(
        r.stderr,
        /note: optional service "cache" is not available: redis-server was not found on PATH/,
      );
      assert.match(
        r.stdout,
        /- Uses Redis skipped: needs redis\.cache, which is not available: services\.cache could not start: redis-server was not found on PATH.*apt-get install redis-server/,
      );
      assert.match(r.stdout, /- Declares the service skipped: needs services\.cache, which is not available/);
      assert.match(r.stdout, /✓ Needs nothing/);
      const report = JSON.parse(await readFile(path.join(p.dir, 'reports', 'flowrun.json'), 'utf8'));
      assert.deepEqual(report.totals, { scenarios: 3, passed: 1, failed: 0, skipped: 2, flaky: 0 });
    } finally {
      await p.cleanup();
      await rm(emptyPath, { recursive: true, force: true });
    }
  });

  it('a required service that cannot start stops the run with exit 2 and a located error', async () => {
    const emptyPath = await mkdtemp(path.join(os.tmpdir(), 'flowrun-nopath-'));
    const p = await project({
      'environments/local.yaml': `name: local\nservices:\n  cache: { redis: local }\n`,
      'scenarios/a.yaml': `name: A\nsteps:\n  - http: { url: "http://127.0.0.1:9/" }\n`,
    });
    try {
      const r = await runCli(['--env', 'local'], { cwd: p.dir, env: { PATH: emptyPath } });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stdout + r.stderr, /environments\/local\.yaml:3:3 .*redis-server was not found on PATH/);
      assert.match(r.stdout, /- A skipped: environment "local" could not be prepared/);
    } finally {
      await p.cleanup();
      await rm(emptyPath, { recursive: true, force: true });
    }
  });
});
