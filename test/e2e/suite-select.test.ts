import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpServer, json, project, runCli } from '../helpers/cli.js';

interface Scenario {
  name: string;
  environment: string;
  status: string;
  skipReason?: string;
}

const scenario = (name: string, extra = ''): string => `name: ${name}
${extra}steps:
  - http: { url: "/hit?name=${encodeURIComponent(name)}&region={{region}}" }
    expect: { status: 200 }
`;

describe('selection and applicability: tags, files, skip, environments, writes, several environments', () => {
  let server: Awaited<ReturnType<typeof httpServer>>;
  let p: Awaited<ReturnType<typeof project>>;
  before(async () => {
    server = await httpServer((_req, res) => json(res, 200, {}));
    p = await project({
      'environments/local.yaml': `name: local\nbaseUrl: ${server.url}\nvars: { region: eu }\n`,
      'environments/staging.yaml': `name: staging\nbaseUrl: ${server.url}\nvars: { region: us }\nprotected: true\n`,
      'scenarios/a-smoke.yaml': scenario('Smoke', 'tags: [smoke]\n'),
      'scenarios/b-slow.yaml': scenario('Slow', 'tags: [smoke, slow]\n'),
      'scenarios/c-flaky.yaml': scenario('Flaky', 'tags: [smoke, flaky]\n'),
      'scenarios/d-nightly.yaml': scenario('Nightly', 'tags: [nightly]\n'),
      'scenarios/e-skipped.yaml': scenario('Skipped', 'skip: waiting for the refunds API (JIRA-12)\n'),
      'scenarios/f-local-only.yaml': scenario('Local only', 'environments: [local]\n'),
      'scenarios/g-writes.yaml': scenario('Writes', 'writes: true\n'),
    });
  });
  after(async () => {
    await p.cleanup();
    await server.close();
  });

  const report = async (): Promise<{ environments: string[]; scenarios: Scenario[] }> =>
    JSON.parse(await readFile(path.join(p.dir, 'reports/flowrun.json'), 'utf8')) as {
      environments: string[];
      scenarios: Scenario[];
    };
  const hits = (from: number) => server.requests.slice(from).map((r) => decodeURIComponent(r.url));

  it('selects by tag expression', async () => {
    const from = server.requests.length;
    const r = await runCli(['--env', 'local', '--tag', 'smoke and not (slow or flaky)'], { cwd: p.dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(
      (await report()).scenarios.map((s) => s.name),
      ['Smoke'],
    );
    assert.deepEqual(hits(from), ['/hit?name=Smoke&region=eu']);
    const none = await runCli(['--env', 'local', '--tag', 'smoke and nightly'], { cwd: p.dir });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no scenario matched --tag "smoke and nightly" in 7 file\(s\)/);
  });

  it('runs one file when given its path', async () => {
    const r = await runCli(['--env', 'local', 'scenarios/d-nightly.yaml'], { cwd: p.dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(
      (await report()).scenarios.map((s) => s.name),
      ['Nightly'],
    );
  });

  it('--env local,staging runs everything against both, tags each result and reports skips with reasons', async () => {
    const from = server.requests.length;
    const r = await runCli(['--env', 'local,staging'], { cwd: p.dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const result = await report();
    assert.deepEqual(result.environments, ['local', 'staging']);
    const rows = result.scenarios.map(
      (s) => `${s.environment} ${s.name}: ${s.status}${s.skipReason ? ` (${s.skipReason})` : ''}`,
    );
    assert.deepEqual(rows, [
      'local Smoke: passed',
      'local Slow: passed',
      'local Flaky: passed',
      'local Nightly: passed',
      'local Skipped: skipped (waiting for the refunds API (JIRA-12))',
      'local Local only: passed',
      'local Writes: passed',
      'staging Smoke: passed',
      'staging Slow: passed',
      'staging Flaky: passed',
      'staging Nightly: passed',
      'staging Skipped: skipped (waiting for the refunds API (JIRA-12))',
      'staging Local only: skipped (applies only to environments: local)',
      'staging Writes: skipped (writes data and environment "staging" is protected (use --allow-writes to run it))',
    ]);
    assert.match(r.stdout, /✓ Smoke \[staging\]/);
    assert.match(
      r.stdout,
      /- Writes \[staging\] skipped: writes data and environment "staging" is protected/,
    );
    assert.match(r.stdout, /- Skipped \[local\] skipped: waiting for the refunds API \(JIRA-12\)/);
    assert.match(r.stdout, /10 passed, 0 failed, 4 skipped \(14 total\)/);
    const got = hits(from);
    assert.ok(got.includes('/hit?name=Smoke&region=eu') && got.includes('/hit?name=Smoke&region=us'));
    assert.ok(!got.includes('/hit?name=Writes&region=us'), 'the protected environment refused the writer');
    assert.ok(!got.some((u) => u.includes('Skipped')));
  });

  it('--allow-writes lets a writing scenario run on a protected environment', async () => {
    const from = server.requests.length;
    const r = await runCli(['--env', 'staging', '--allow-writes', 'scenarios/g-writes.yaml'], { cwd: p.dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal((await report()).scenarios[0].status, 'passed');
    assert.deepEqual(hits(from), ['/hit?name=Writes&region=us']);
  });
});
