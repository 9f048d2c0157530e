import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { truncate } from 'node:fs/promises';
import path from 'node:path';
import { httpServer, json, project, runCli } from '../helpers/cli.js';

/** Runs `flowrun validate` on a temporary project and returns the result. */
async function validate(files: Record<string, string>, args: string[] = []) {
  const p = await project(files);
  try {
    return await runCli(['validate', ...args], { cwd: p.dir });
  } finally {
    await p.cleanup();
  }
}

describe('mistakes are caught before the run, located, exit 2', () => {
  it('refuses two scenarios with the same name, naming both places', async () => {
    const r = await validate({
      'scenarios/a.yaml': 'name: Checkout\nsteps:\n  - http: { url: "http://127.0.0.1:9/a" }\n',
      'scenarios/b.yaml':
        '# the same name\nname: Checkout\nsteps:\n  - http: { url: "http://127.0.0.1:9/b" }\n',
    });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /scenarios\/b\.yaml:2:7: error: duplicate scenario name "Checkout": also at scenarios\/a\.yaml:1:7/,
    );
  });

  it('refuses two instances of one scenario with the same name, at the parameter value', async () => {
    const r = await validate({
      'scenarios/a.yaml':
        'name: Pay\nparameters:\n  gateway: [stripe, yookassa, stripe]\nsteps:\n  - http: { url: "http://127.0.0.1:9/{{gateway}}" }\n',
    });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /scenarios\/a\.yaml:3:31: error: duplicate scenario name "Pay \[gateway=stripe\]": also at scenarios\/a\.yaml:3:13/,
    );
  });

  it('keeps one scenario selected twice by line', async () => {
    const p = await project({
      'scenarios/a.yaml': 'name: A\nsteps:\n  - http: { url: "http://127.0.0.1:9/a" }\n',
    });
    try {
      const r = await runCli(['list', 'scenarios/a.yaml:1', 'scenarios/a.yaml:3'], { cwd: p.dir });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(r.stdout.match(/scenarios\/a\.yaml {2}A/g)?.length, 1, r.stdout);
    } finally {
      await p.cleanup();
    }
  });

  it('checks every referenced JSON Schema file at load time, naming the file', async () => {
    const r = await validate({
      'schemas/broken.json': '{ "type": "object", ',
      'schemas/wrong.json': '{ "type": "objekt" }',
      'scenarios/a.yaml': [
        'name: A',
        'steps:',
        '  - http: { url: "http://127.0.0.1:9/a" }',
        '    expect:',
        '      schema: ../schemas/broken.json',
        '  - http: { url: "http://127.0.0.1:9/b" }',
        '    expect: { schema: ../schemas/wrong.json }',
        '  - http: { url: "http://127.0.0.1:9/c" }',
        '    expect: { schema: ../schemas/missing.json }',
        '  - http: { url: "http://127.0.0.1:9/d" }',
        '    expect: { schema: { type: objekt } }',
        '',
      ].join('\n'),
    });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /scenarios\/a\.yaml:5:15: error: schemas\/broken\.json is not valid JSON: /);
    assert.match(
      r.stderr,
      /scenarios\/a\.yaml:7:23: error: schemas\/wrong\.json is not a valid JSON Schema: .*type/,
    );
    assert.match(r.stderr, /scenarios\/a\.yaml:9:23: error: cannot read schemas\/missing\.json: ENOENT/);
    assert.match(r.stderr, /scenarios\/a\.yaml:11:23: error: invalid JSON Schema: /);
  });

  it('refuses a 3 GB file from its size, without reading it', async () => {
    const p = await project({ 'scenarios/huge.yaml': '' });
    try {
      await truncate(path.join(p.dir, 'scenarios/huge.yaml'), 3 * 1024 ** 3); // sparse: no disk used
      const t0 = Date.now();
      const r = await runCli(['validate'], { cwd: p.dir, timeoutMs: 20_000 });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(
        r.stderr,
        /scenarios\/huge\.yaml:1:1: error: scenarios\/huge\.yaml is 3072\.0 MiB; files over 4 MiB are refused/,
      );
      // Reading 3 GB (as the code frame once did) takes far longer than this on any machine.
      assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
    } finally {
      await p.cleanup();
    }
  });

  it('merges `<<: *base` inside expect.body instead of comparing a literal "<<" key', async () => {
    const server = await httpServer((_req, res) =>
      json(res, 200, { id: 7, status: 'paid', currency: 'RUB' }),
    );
    const p = await project({
      'scenarios/a.yaml': [
        'name: merged',
        'vars:',
        '  paid: &paid { status: paid, currency: RUB }',
        'steps:',
        `  - http: { url: "${server.url}/o" }`,
        '    expect:',
        '      body:',
        '        <<: *paid',
        '        id: 7',
        '  - http: { url: "${server.url}/o" }'.replace('${server.url}', server.url),
        '    expect:',
        '      body: { <<: *paid, id: 8 }',
        '',
      ].join('\n'),
    });
    try {
      const r = await runCli(['scenarios'], { cwd: p.dir });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      // The block merge passes; the flow merge fails on the key written beside it.
      assert.equal(r.stdout.match(/✗ step/g)?.length, 1, r.stdout);
      assert.match(r.stdout, /body: expected 8 at id, got 7 {2}at scenarios\/a\.yaml:12:7/);
      assert.doesNotMatch(r.stdout + r.stderr, /<</);
    } finally {
      await p.cleanup();
      await server.close();
    }
  });

  it('says to quote an unquoted {{...}} or JSONPath inside { }', async () => {
    const r = await validate({
      'scenarios/a.yaml': 'name: A\nvars: { x: 1 }\nsteps:\n  - http: { url: /a, json: { email: {{x}} } }\n',
      'scenarios/b.yaml':
        'name: B\nsteps:\n  - http: { url: /a }\n    expect: { body: { $.items[0].x: 1 } }\n',
    });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /scenarios\/a\.yaml:4:37: error: unquoted template \{\{x\}\}: YAML reads \{\{\.\.\.\}\} as a mapping\n {2}hint: quote it: "\{\{x\}\}"/,
    );
    assert.match(
      r.stderr,
      /scenarios\/b\.yaml:4:30: error: YAML syntax error: Missing , or : between flow map items\n {2}hint: inside \{ \} or \[ \], quote a value or key that holds \{\{ \}\} or \[ \]: "\$\.items\[0\]\.x"/,
    );
    assert.doesNotMatch(r.stderr, /Warning/);
  });

  it('waitFor sql:/redis: take a name from databases:/redis:, and refuse an unknown one', async () => {
    const db = process.env.FLOWRUN_TEST_DATABASE_URL;
    const redis = process.env.FLOWRUN_TEST_REDIS_URL;
    assert.ok(db && redis, 'run through scripts/run-tests.mjs');
    const env = (sql: string) =>
      [
        'name: local',
        'databases:',
        `  main: { url: "${db}" }`,
        'redis:',
        `  cache: { url: "${redis}" }`,
        'waitFor:',
        `  - sql: ${sql}`,
        '    timeout: 5s',
        '  - redis: cache',
        '    timeout: 5s',
        '',
      ].join('\n');
    const p = await project({
      'environments/local.yaml': env('main'),
      'environments/typo.yaml': env('mian').replace('name: local', 'name: typo'),
      'scenarios/a.yaml':
        'name: A\nsteps:\n  - sql: { db: main, query: SELECT 1 AS one }\n    expect: { rows: [{ one: 1 }] }\n',
    });
    try {
      const ok = await runCli(['scenarios', '--env', 'local'], { cwd: p.dir });
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      const typo = await runCli(['validate', '--env', 'typo'], { cwd: p.dir });
      assert.equal(typo.code, 2, typo.stdout + typo.stderr);
      assert.match(
        typo.stderr,
        /environments\/typo\.yaml:7:10: error: waitFor sql: "mian" is neither a URL nor a name from databases:\n {2}hint: did you mean "main"\?/,
      );
    } finally {
      await p.cleanup();
    }
  });
});
