import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { project, runCli } from '../helpers/cli.js';

const scenario =
  'name: Pay\ncovers: ["orders → payments"]\nsteps:\n  - http: { url: "{{shopUrl}}/pay/{{team}}" }\n';
const matrix =
  'integration_points:\n  internal_modules:\n    - "orders → payments"\n    - "auth → products"\n';

describe('flowrun matrix reads the project like run and validate do', () => {
  it('uses flowrun.config.yaml (paths, env) and --env for the variables scenarios use', async () => {
    const p = await project({
      'flowrun.config.yaml': 'paths: [suite]\nenv: [local]\n',
      'environments/local.yaml': 'name: local\nvars: { shopUrl: "http://127.0.0.1:9" }\n',
      'environments/other.yaml': 'name: other\nvars: { shopUrl: "http://127.0.0.1:8" }\n',
      '.env': 'FLOWRUN_VAR_team=qa\n',
      'suite/pay.yaml': scenario,
      'integration-matrix.yaml': matrix,
    });
    try {
      const r = await runCli(['matrix'], { cwd: p.dir });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.doesNotMatch(r.stderr, /unknown variable/);
      assert.match(r.stdout, /^Integration matrix integration-matrix\.yaml: 1\/2 points covered \(50%\)$/m);
      const other = await runCli(['matrix', '--env', 'other'], { cwd: p.dir });
      assert.equal(other.code, 0, other.stdout + other.stderr);
      const missing = await runCli(['matrix', '--env', 'nope'], { cwd: p.dir });
      assert.equal(missing.code, 2, missing.stdout + missing.stderr);
      assert.match(missing.stderr, /nope/);
    } finally {
      await p.cleanup();
    }
  });

  it('says clearly that there is no matrix file, without a raw ENOENT', async () => {
    const p = await project({ 'scenarios/pay.yaml': scenario.replace(/\{\{\w+\}\}/g, 'x') });
    try {
      const r = await runCli(['matrix'], { cwd: p.dir });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.equal(
        r.stderr.split('\n')[0],
        'error: no integration matrix: integration-matrix.yaml not found',
      );
      assert.match(
        r.stderr,
        /hint: create integration-matrix\.yaml, pass --matrix <file>, or set matrix: in flowrun\.config\.yaml/,
      );
      assert.doesNotMatch(r.stderr, /ENOENT/);
      const named = await runCli(['matrix', '--matrix', 'm.yaml'], { cwd: p.dir });
      assert.equal(named.code, 2);
      assert.match(named.stderr, /^error: no integration matrix: m\.yaml not found/);
    } finally {
      await p.cleanup();
    }
  });
});
