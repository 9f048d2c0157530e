import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpServer, json, project, runCli } from '../helpers/cli.js';

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await allFiles(full)));
    else out.push(full);
  }
  return out;
}

describe('secrets in every output, and the remaining exit codes', () => {
  let server: Awaited<ReturnType<typeof httpServer>>;
  before(async () => {
    server = await httpServer((req, res) =>
      json(res, 200, { echo: req.body, url: req.url, auth: req.headers.authorization }),
    );
  });
  after(() => server.close());

  it('never shows a secret (nor its base64) in any reporter, with a failing expectation that echoes it', async () => {
    const secret = 'sk_test_5up3r_s3cr3t_v4lu3';
    const p = await project({
      'integration-matrix.yaml': 'integration_points:\n  internal_modules:\n    - "orders → payments"\n',
      'environments/local.yaml': `name: local\nbaseUrl: ${server.url}\nsecrets:\n  key: "{{env.FLOWRUN_E2E_SECRET}}"\n`,
      'scenarios/leak.yaml': `name: Uses the secret everywhere
covers: ["orders → payments"]
steps:
  - name: send it
    http:
      method: POST
      url: "/pay?api_key={{secrets.key}}"
      headers: { Authorization: "Basic {{base64 secrets.key}}", X-Key: "{{secrets.key}}" }
      json: { key: "{{secrets.key}}", note: "uses {{secrets.key}}" }
    expect:
      status: 201
      body: { $.echo: "{{secrets.key}}" }
`,
    });
    try {
      const r = await runCli(
        ['--env', 'local', '-r', 'console,json,junit,html,markdown,matrix,ndjson,github'],
        {
          cwd: p.dir,
          env: { FLOWRUN_E2E_SECRET: secret },
        },
      );
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.ok(
        server.requests.some((q) => q.url.includes(secret)),
        'the real value reached the server',
      );
      const files = await allFiles(path.join(p.dir, 'reports'));
      const names = files.map((f) => path.basename(f)).sort();
      for (const expected of ['flowrun.json', 'junit.xml', 'flowrun.html', 'flowrun.md', 'flowrun.ndjson'])
        assert.ok(names.includes(expected), `${expected} written: ${names.join(', ')}`);
      const forms = [secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret)];
      const outputs: [string, string][] = [
        ['stdout', r.stdout],
        ['stderr', r.stderr],
        ...(await Promise.all(
          files.map(async (f): Promise<[string, string]> => [f, await readFile(f, 'utf8')]),
        )),
      ];
      for (const [where, text] of outputs)
        for (const form of forms) assert.ok(!text.includes(form), `secret form leaked in ${where}`);
      assert.match(r.stdout, /api_key=\*\*\*\*\*/);
    } finally {
      await p.cleanup();
    }
  });

  it('exit 3 on an internal error, without a stack trace unless --debug', async () => {
    const p = await project({
      'broken-reporter.js':
        'export function createReporter() { throw new TypeError("cannot read properties of undefined"); }\n',
      'scenarios/a.yaml': `name: A\nsteps:\n  - http: { url: "${server.url}/x" }\n`,
    });
    try {
      const r = await runCli(['-r', './broken-reporter.js'], { cwd: p.dir });
      assert.equal(r.code, 3, r.stdout + r.stderr);
      assert.match(r.stderr, /internal error: cannot read properties of undefined/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      const d = await runCli(['-r', './broken-reporter.js', '--debug'], { cwd: p.dir });
      assert.equal(d.code, 3);
      assert.match(d.stderr, /\n\s+at .*broken-reporter\.js/);
    } finally {
      await p.cleanup();
    }
  });

  it('exit 2 for usage errors, an unknown environment (listing the known ones), and no matching scenario', async () => {
    const p = await project({
      'environments/local.yaml': 'name: local\n',
      'environments/staging.yaml': 'name: staging\n',
      'scenarios/a.yaml': `name: A\ntags: [smoke]\nsteps:\n  - http: { url: "${server.url}/x" }\n`,
    });
    try {
      const unknown = await runCli(['--env', 'stagin'], { cwd: p.dir });
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /unknown environment "stagin"/);
      assert.match(unknown.stderr, /did you mean "staging"\? available: local, staging/);
      const flag = await runCli(['--concurrency', 'lots'], { cwd: p.dir });
      assert.equal(flag.code, 2);
      assert.match(flag.stderr, /invalid --concurrency "lots"/);
      const none = await runCli(['--tag', 'slow'], { cwd: p.dir });
      assert.equal(none.code, 2);
      assert.match(none.stderr, /no scenario matched --tag "slow"/);
      const tag = await runCli(['--tag', 'smoke and ('], { cwd: p.dir });
      assert.equal(tag.code, 2);
      assert.match(tag.stderr, /invalid --tag expression/);
      const ok = await runCli(['--tag', 'smoke and not slow', '-r', 'console'], { cwd: p.dir });
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    } finally {
      await p.cleanup();
    }
  });

  it('--min-success-rate turns a partly failed run into a pass; --bail reports the rest as not run', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 4; i++) {
      files[`scenarios/s${i}.yaml`] =
        `name: S${i}\nsteps:\n  - http: { url: "${server.url}/x" }\n    expect: { status: ${i === 0 ? 500 : 200} }\n`;
    }
    const p = await project(files);
    try {
      const lenient = await runCli(['--min-success-rate', '75', '-r', 'console'], { cwd: p.dir });
      assert.equal(lenient.code, 0, lenient.stdout);
      assert.match(lenient.stdout, /Success rate: 75\.0%/);
      const strict = await runCli(['--min-success-rate', '80', '-r', 'console'], { cwd: p.dir });
      assert.equal(strict.code, 1);
      const bail = await runCli(['--bail', '-r', 'console'], { cwd: p.dir });
      assert.equal(bail.code, 1);
      assert.match(bail.stdout, /1 failed, 3 skipped/);
      assert.match(bail.stdout, /not run: --bail after a failure/);
    } finally {
      await p.cleanup();
    }
  });
});
