import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { project, runCli } from '../helpers/cli.js';

describe('validate and list read flowrun.config.yaml and .env like a run does', () => {
  it('uses the configured paths and environment, with names from .env and FLOWRUN_VAR_*', async () => {
    const p = await project({
      'flowrun.config.yaml': 'paths: [suite]\nenv: [local]\n',
      '.env': 'SHOP_URL=http://127.0.0.1:9\n',
      'environments/local.yaml': 'name: local\nbaseUrl: "{{env.SHOP_URL}}"\n',
      'suite/a.yaml': 'name: A\ntags: [smoke]\nsteps:\n  - http: { url: "/x/{{team}}" }\n',
    });
    try {
      const ok = await runCli(['validate'], { cwd: p.dir, env: { FLOWRUN_VAR_team: 'qa' } });
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, /1 file valid, 1 scenario/);
      const missing = await runCli(['validate'], { cwd: p.dir });
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /suite\/a\.yaml:4:18: error: unknown variable "team"/);
      const listed = await runCli(['list'], { cwd: p.dir, env: { FLOWRUN_VAR_team: 'qa' } });
      assert.equal(listed.code, 0, listed.stdout + listed.stderr);
      assert.match(listed.stdout, /suite\/a\.yaml {2}A {2}\[smoke\]/);
    } finally {
      await p.cleanup();
    }
  });
});
