import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpServer, json, project, runCli } from '../helpers/cli.js';

describe('configuration sources: .env, FLOWRUN_VAR_*, flowrun.config.yaml, flags', () => {
  let server: Awaited<ReturnType<typeof httpServer>>;
  before(async () => {
    server = await httpServer((req, res) =>
      json(res, 200, { query: Object.fromEntries(new URL(req.url, 'http://x').searchParams) }),
    );
  });
  after(() => server.close());

  it('applies --var > process environment > .env > environment file, and .env never overrides the process', async () => {
    const p = await project({
      '.env': [
        'SHOP_KEY=from-dotenv',
        'PRESET=from-dotenv',
        'FLOWRUN_VAR_region=dotenv-region',
        'FLOWRUN_VAR_team=dotenv-team',
        '',
      ].join('\n'),
      'environments/local.yaml': `name: local
baseUrl: ${server.url}
vars: { region: file-region, team: file-team, tier: file-tier, lang: file-lang }
`,
      'scenarios/vars.yaml': `name: Sources
steps:
  - http:
      url: /echo
      query: { key: "{{env.SHOP_KEY}}", preset: "{{env.PRESET}}", region: "{{region}}", team: "{{team}}", tier: "{{tier}}", lang: "{{lang}}" }
    expect:
      body:
        $.query:
          key: from-dotenv
          preset: from-process
          region: dotenv-region
          team: process-team
          tier: file-tier
          lang: cli-lang
`,
    });
    try {
      const r = await runCli(['--env', 'local', '--var', 'lang=cli-lang'], {
        cwd: p.dir,
        env: { PRESET: 'from-process', FLOWRUN_VAR_team: 'process-team', FLOWRUN_VAR_lang: 'process-lang' },
      });
      assert.equal(r.code, 0, r.stdout + r.stderr);
    } finally {
      await p.cleanup();
    }
  });

  it('takes defaults from flowrun.config.yaml and lets flags override them', async () => {
    const p = await project({
      'flowrun.config.yaml': `# yaml-language-server: $schema=./node_modules/flowrun/schemas/config.schema.json
env: local
paths: [suites/]
reporters: [json, ndjson]
out: out/reports
concurrency: 2
retries: 1
timeout: 30s
`,
      'environments/local.yaml': `name: local\nbaseUrl: ${server.url}\n`,
      'suites/one.yaml': `name: From the config's paths\nsteps:\n  - http: { url: /echo?s=1 }\n`,
      'scenarios/ignored.yaml': `name: Not in the config's paths\nsteps:\n  - http: { url: /echo?s=2 }\n`,
    });
    try {
      const r = await runCli([], { cwd: p.dir });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.doesNotMatch(r.stdout, /Scenarios:/, 'no console reporter: the config lists json and ndjson');
      const report = JSON.parse(await readFile(path.join(p.dir, 'out/reports/flowrun.json'), 'utf8'));
      assert.deepEqual(report.environments, ['local']);
      assert.deepEqual(
        report.scenarios.map((s: { name: string }) => s.name),
        ["From the config's paths"],
      );
      assert.ok(existsSync(path.join(p.dir, 'out/reports/flowrun.ndjson')));

      const flags = await runCli(['-r', 'console,json', '-o', 'elsewhere', 'scenarios'], { cwd: p.dir });
      assert.equal(flags.code, 0, flags.stdout + flags.stderr);
      assert.match(flags.stdout, /✓ Not in the config's paths/);
      assert.ok(existsSync(path.join(p.dir, 'elsewhere/flowrun.json')));
      assert.ok(
        !existsSync(path.join(p.dir, 'elsewhere/flowrun.ndjson')),
        '-r replaced the configured reporters',
      );
    } finally {
      await p.cleanup();
    }
  });

  it('reports an invalid config file with locations (exit 2); --config names another file', async () => {
    const p = await project({
      'flowrun.config.yaml': `env: local\nconcurrency: 0\nreporter: [json]\ntimeout: soon\n`,
      'ci.config.yaml': `reporters: [json]\nout: ci-reports\n`,
      'environments/local.yaml': `name: local\nbaseUrl: ${server.url}\n`,
      'scenarios/one.yaml': `name: One\nsteps:\n  - http: { url: /echo }\n`,
    });
    try {
      const r = await runCli([], { cwd: p.dir });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /flowrun\.config\.yaml:2:14: error: concurrency must be >= 1/);
      assert.match(
        r.stderr,
        /flowrun\.config\.yaml:3:1: error: unknown key "reporter"\n\s+hint: did you mean "reporters"\?/,
      );
      assert.match(r.stderr, /flowrun\.config\.yaml:4:10: error: timeout is not a valid duration/);
      const other = await runCli(['--config', 'ci.config.yaml', '--env', 'local'], { cwd: p.dir });
      assert.equal(other.code, 0, other.stdout + other.stderr);
      assert.ok(existsSync(path.join(p.dir, 'ci-reports/flowrun.json')));
      const missing = await runCli(['--config', 'nope.yaml'], { cwd: p.dir });
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /no such config file: nope\.yaml/);
    } finally {
      await p.cleanup();
    }
  });
});
