import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpServer, json, project, runCli } from '../helpers/cli.js';

describe('reports replayed from the recorded events equal the live ones', () => {
  let server: Awaited<ReturnType<typeof httpServer>>;
  before(async () => {
    server = await httpServer((req, res) =>
      json(res, 200, { status: req.url.includes('bad') ? 'pending' : 'confirmed' }),
    );
  });
  after(() => server.close());

  it('json, junit, html and markdown written by `flowrun merge` from flowrun.ndjson are byte for byte the live ones', async () => {
    const p = await project({
      'integration-matrix.yaml':
        'integration_points:\n  internal_modules:\n    - "orders → payments"\n    - "cart → orders"\n',
      'environments/local.yaml': `name: local\nbaseUrl: ${server.url}\n`,
      'scenarios/a.yaml':
        'name: Good\ncovers: ["orders → payments"]\nsteps:\n  - http: { url: /ok }\n    expect: { body: { $.status: confirmed } }\n',
      'scenarios/b.yaml':
        'name: Bad\ntags: [x]\nsteps:\n  - http: { url: /bad }\n    expect: { body: { $.status: confirmed } }\n',
      'scenarios/c.yaml': 'name: Skipped\nskip: not today\nsteps:\n  - http: { url: /ok }\n',
    });
    try {
      const live = await runCli(['--env', 'local', '-r', 'json,junit,html,markdown,ndjson', '-o', 'live'], {
        cwd: p.dir,
      });
      assert.equal(live.code, 1, live.stdout + live.stderr);
      const replay = await runCli(
        ['merge', 'live/flowrun.ndjson', '-r', 'json,junit,html,markdown', '-o', 'replay'],
        { cwd: p.dir },
      );
      assert.equal(replay.code, 1, replay.stdout + replay.stderr);
      for (const file of ['flowrun.json', 'junit.xml', 'flowrun.html', 'flowrun.md']) {
        const a = await readFile(path.join(p.dir, 'live', file), 'utf8');
        const b = await readFile(path.join(p.dir, 'replay', file), 'utf8');
        assert.ok(a.length > 200, `${file} has content`);
        assert.equal(b, a, `${file} replayed differs from the live one`);
      }
      const report = JSON.parse(await readFile(path.join(p.dir, 'replay', 'flowrun.json'), 'utf8'));
      assert.deepEqual(report.totals, { scenarios: 3, passed: 1, failed: 1, skipped: 1, flaky: 0 });
      assert.ok(report.matrix, 'the matrix model is in the replayed JSON');
    } finally {
      await p.cleanup();
    }
  });
});
