import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunResult } from '../../src/types.js';
import { httpServer, json, project, repoRoot, runCli } from '../helpers/cli.js';

const fixture = (rel: string) => readFile(path.join(repoRoot, 'test/fixtures/contract', rel), 'utf8');
const readResult = async (dir: string, out = 'reports'): Promise<RunResult> =>
  JSON.parse(await readFile(path.join(dir, out, 'flowrun.json'), 'utf8')) as RunResult;
const stepOf = (r: RunResult, scenario: string) => r.scenarios.find((s) => s.name === scenario)!.steps[0];

const article = (slug: string, extra: Record<string, unknown> = {}) => ({
  slug,
  title: 'Title',
  description: null,
  favoritesCount: 0,
  author: { username: 'ann', bio: null },
  ...extra,
});

describe('contract checks against an OpenAPI 3.0 document (YAML, $refs across files)', () => {
  let server: Awaited<ReturnType<typeof httpServer>>;
  let files: Record<string, string>;
  before(async () => {
    server = await httpServer((req, res) => {
      const u = new URL(req.url, 'http://x');
      const p = u.pathname;
      if (p === '/api/articles' && req.method === 'GET')
        return json(res, 200, { articles: [article('a')], articlesCount: 1 });
      if (p === '/api/articles' && req.method === 'POST')
        return json(res, 201, article('new', JSON.parse(req.body) as Record<string, unknown>));
      if (p === '/api/articles/feed') return json(res, 200, { articles: [] });
      if (p === '/api/articles/broken')
        return json(res, 200, article('broken', { author: { username: 42 } }));
      if (p === '/api/articles/missing') return json(res, 404, { errors: { slug: ['not found'] } });
      if (p === '/api/articles/html') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<h1>hi</h1>');
        return;
      }
      if (p === '/api/articles/gone' && req.method === 'DELETE')
        return json(res, 404, { errors: { slug: ['gone'] } });
      if (p === '/api/articles/boom' && req.method === 'DELETE') {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('boom');
        return;
      }
      if (p.startsWith('/api/articles/')) return json(res, 200, article(p.slice('/api/articles/'.length)));
      if (p === '/api/users' && req.method === 'POST')
        return json(res, 201, { id: 7, ...(JSON.parse(req.body) as object) });
      if (p === '/api/health') return json(res, 200, { ok: true });
      json(res, 404, { errors: { path: ['unknown'] } });
    });
    files = {
      'api/openapi.yaml': await fixture('articles/openapi.yaml'),
      'api/schemas.yaml': await fixture('articles/schemas.yaml'),
      'environments/local.yaml': `name: local\nbaseUrl: ${server.url}/api\nopenapi: ../api/openapi.yaml\n`,
      'environments/strict.yaml': `name: strict\nbaseUrl: ${server.url}/api\nopenapi: ../api/openapi.yaml\ncontract: strict\n`,
      'environments/warn.yaml': `name: warn\nbaseUrl: ${server.url}/api\nopenapi: ../api/openapi.yaml\ncontract: warn\n`,
      'scenarios/conform.yaml': `name: documented calls conform
steps:
  - http: { url: /articles }
    expect: { status: 200 }
  - http: { url: /articles/feed }
  - http: { url: /articles/good }
  - http: { url: /articles/missing }
    expect: { status: 404 }
  - http: { method: POST, url: /articles, json: { title: Hello } }
    expect: { status: 201 }
  - http: { method: DELETE, url: /articles/gone }
    expect: { status: 404 }
`,
      'scenarios/broken.yaml': `name: a body that violates the schema
steps:
  - name: read the broken article
    http: { url: /articles/broken }
    expect: { status: 200 }
`,
      'scenarios/status.yaml': `name: an undeclared status
steps:
  - http: { method: DELETE, url: /articles/boom }
    expect: { status: 500 }
`,
      'scenarios/undocumented.yaml': `name: a route missing from the spec
steps:
  - http: { url: /health }
    expect: { status: 200 }
`,
      'scenarios/leak.yaml': `name: a writeOnly property in a response
steps:
  - http: { method: POST, url: /users, json: { email: a@example.com, password: secret123 } }
    expect: { status: 201 }
`,
      'scenarios/html.yaml': `name: an undeclared content type
steps:
  - http: { url: /articles/html }
`,
      'scenarios/off.yaml': `name: contract off for one step
steps:
  - http: { url: /articles/broken }
    contract: false
`,
    };
  });
  after(() => server.close());

  it('reports each violation at its step, naming the operation, schema path and value; coverage is exact', async () => {
    const p = await project(files);
    try {
      const r = await runCli(['scenarios', '-e', 'local', '-r', 'console,json', '--coverage'], {
        cwd: p.dir,
      });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const result = await readResult(p.dir);
      const status = Object.fromEntries(result.scenarios.map((s) => [s.name, s.status]));
      assert.deepEqual(status, {
        'documented calls conform': 'passed',
        'a body that violates the schema': 'failed',
        'an undeclared status': 'failed',
        'a route missing from the spec': 'passed',
        'a writeOnly property in a response': 'failed',
        'an undeclared content type': 'failed',
        'contract off for one step': 'passed',
      });

      const broken = stepOf(result, 'a body that violates the schema');
      const [violation] = broken.assertions.filter((a) => !a.passed);
      assert.equal(violation.source, 'contract');
      assert.equal(violation.actual, 42);
      assert.deepEqual(violation.expected, { type: 'string' });
      assert.match(
        violation.message!,
        /^contract GET \/articles\/\{slug\}: response → 200 body at \/author\/username must be string, got 42 \(schema #\/paths\/.*\/properties\/author\/properties\/username\/type\)$/,
      );
      assert.deepEqual(violation.location, { file: path.join('scenarios', 'broken.yaml'), line: 3, col: 5 });
      // The scenario's own expectation passed and is kept apart from the contract check.
      assert.deepEqual(
        broken.assertions.map((a) => [a.source ?? 'expect', a.passed]),
        [
          ['expect', true],
          ['contract', false],
        ],
      );
      assert.match(
        r.stdout,
        /contract GET \/articles\/\{slug\}: response → 200 body at \/author\/username must be string, got 42/,
      );
      assert.match(r.stdout, /at scenarios\/broken\.yaml:3:5/);

      const undeclared = stepOf(result, 'an undeclared status').assertions.find((a) => !a.passed)!;
      assert.equal(
        undeclared.message,
        'contract DELETE /articles/{slug}: status 500 is not declared (declared: 204, 4XX)',
      );

      const leak = stepOf(result, 'a writeOnly property in a response').assertions.find((a) => !a.passed)!;
      assert.equal(
        leak.message?.replace(/ \(schema .*\)$/, ''),
        'contract POST /users: response → 201 body at /password must not be present (writeOnly property), got "secret123"',
      );
      const html = stepOf(result, 'an undeclared content type').assertions.find((a) => !a.passed)!;
      assert.equal(
        html.message,
        'contract GET /articles/{slug}: response → 200 content type "text/html" is not declared (declared: application/json)',
      );
      assert.deepEqual(stepOf(result, 'a route missing from the spec').contract, {
        spec: '../api/openapi.yaml',
        undocumented: 'GET /api/health',
      });
      assert.equal(stepOf(result, 'contract off for one step').contract, undefined);

      const api = result.api!.specs[0];
      assert.equal(api.title, 'Articles API');
      assert.deepEqual(Object.fromEntries(api.operations.map((o) => [o.id, o.statuses])), {
        'GET /articles': { 200: 1 },
        'POST /articles': { 201: 1 },
        'GET /articles/feed': { 200: 1 },
        'GET /articles/{slug}': { 200: 3, 404: 1 },
        'DELETE /articles/{slug}': { 404: 1, 500: 1 },
        'POST /users': { 201: 1 },
        'PUT /users/me': {},
      });
      assert.deepEqual([api.covered, api.total, api.percent], [6, 7, 85.71]);
      assert.deepEqual(api.undocumented, [{ request: 'GET /api/health', count: 1 }]);
      assert.deepEqual([api.violations, api.warnings], [4, 0]);
      assert.match(
        r.stdout,
        /API coverage: 6\/7 operations \(85\.7%\) of Articles API \(\.\.\/api\/openapi\.yaml\) · 4 contract violations · 1 undocumented request/,
      );
      assert.match(r.stdout, /✗ PUT \/users\/me\s+never exercised \(declared: 200\)/);
      assert.match(r.stdout, /✓ GET \/articles\/\{slug\}\s+200×3 404×1/);

      const cov = await runCli(['coverage', 'reports/flowrun.json', '--min-api-coverage', '90'], {
        cwd: p.dir,
      });
      assert.equal(cov.code, 1);
      assert.match(cov.stdout, /Articles API \(\.\.\/api\/openapi\.yaml\): 6\/7 operations \(85\.7%\)/);
      assert.match(cov.stdout, /\? GET \/api\/health {2}undocumented \(1 request\)/);
      assert.match(cov.stderr, /API coverage 85\.71% is below --min-api-coverage 90%/);
    } finally {
      await p.cleanup();
    }
  });

  it('contract: strict fails undocumented requests; contract: warn reports without failing', async () => {
    const p = await project(files);
    try {
      const strict = await runCli(['scenarios/undocumented.yaml', '-e', 'strict', '-r', 'json'], {
        cwd: p.dir,
      });
      assert.equal(strict.code, 1);
      const s = stepOf(await readResult(p.dir), 'a route missing from the spec');
      assert.equal(s.status, 'failed');
      assert.equal(
        s.error?.message,
        'contract: GET /api/health is not documented in ../api/openapi.yaml (no operation matches; contract: strict)',
      );
      assert.deepEqual(s.error?.location, {
        file: path.join('scenarios', 'undocumented.yaml'),
        line: 3,
        col: 5,
      });

      const warn = await runCli(['scenarios/broken.yaml', '-e', 'warn', '-r', 'console,json'], {
        cwd: p.dir,
      });
      assert.equal(warn.code, 0, warn.stdout);
      const w = stepOf(await readResult(p.dir), 'a body that violates the schema');
      assert.equal(w.status, 'passed');
      assert.equal(w.assertions.filter((a) => a.warning).length, 1);
      assert.match(
        warn.stdout,
        /warning: contract GET \/articles\/\{slug\}: response → 200 body at \/author\/username must be string, got 42/,
      );
      assert.match(warn.stdout, /1 contract warning \(contract: warn\)/);
    } finally {
      await p.cleanup();
    }
  });

  it('checks request bodies with contract: { requests: true }; readOnly properties are not required in requests', async () => {
    const p = await project({
      ...files,
      'scenarios/request.yaml': `name: request bodies
steps:
  - name: a valid article
    http: { method: POST, url: /articles, json: { title: Fine } }
    contract: { requests: true }
  - name: an empty title
    http: { method: POST, url: /articles, json: { title: "" } }
    contract: { requests: true }
`,
    });
    try {
      const r = await runCli(['scenarios/request.yaml', '-e', 'local', '-r', 'json'], { cwd: p.dir });
      assert.equal(r.code, 1);
      const steps = (await readResult(p.dir)).scenarios[0].steps;
      assert.equal(steps[0].status, 'passed');
      assert.equal(steps[1].status, 'failed');
      assert.match(
        steps[1].error!.message,
        /^contract POST \/articles: request body at \/title must NOT have fewer than 1 characters, got "" \(schema #.*\/title\/minLength\)$/,
      );
    } finally {
      await p.cleanup();
    }
  });

  it('shards merged give the same coverage as one run; --min-api-coverage gates the run', async () => {
    const p = await project(files);
    try {
      await runCli(['scenarios', '-e', 'local', '-r', 'json', '-o', 'whole'], { cwd: p.dir });
      for (const shard of ['1/2', '2/2'])
        await runCli(
          ['scenarios', '-e', 'local', '-r', 'ndjson', '--shard', shard, '-o', `shard${shard[0]}`],
          {
            cwd: p.dir,
          },
        );
      const merged = await runCli(['merge', 'shard1', 'shard2', '-r', 'json', '-o', 'merged'], {
        cwd: p.dir,
      });
      assert.equal(merged.code, 1, merged.stderr);
      const whole = (await readResult(p.dir, 'whole')).api;
      const fromShards = (await readResult(p.dir, 'merged')).api;
      assert.ok(whole && whole.specs[0].covered === 6);
      assert.deepEqual(fromShards, whole);

      const gated = await runCli(
        ['scenarios/conform.yaml', '-e', 'local', '-r', 'json', '--min-api-coverage', '80'],
        {
          cwd: p.dir,
        },
      );
      assert.equal(gated.code, 1);
      assert.match(gated.stderr, /API coverage 71\.43% is below --min-api-coverage 80%/);
      const passing = await runCli(
        ['scenarios/conform.yaml', '-e', 'local', '-r', 'json', '--min-api-coverage', '70'],
        {
          cwd: p.dir,
        },
      );
      assert.equal(passing.code, 0, passing.stderr);
    } finally {
      await p.cleanup();
    }
  });

  it('an unreadable document is a located environment error (exit 2)', async () => {
    const p = await project({
      ...files,
      'environments/bad.yaml': `name: bad\nbaseUrl: ${server.url}/api\nopenapi: ../api/missing.yaml\n`,
    });
    try {
      const r = await runCli(['scenarios/conform.yaml', '-e', 'bad', '-r', 'console'], { cwd: p.dir });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(
        r.stdout + r.stderr,
        /environments\/bad\.yaml:3:10 openapi: cannot load \.\.\/api\/missing\.yaml/,
      );
    } finally {
      await p.cleanup();
    }
  });
});

describe('contract checks against an OpenAPI 3.1 document (JSON Schema 2020-12, server variables)', () => {
  let server: Awaited<ReturnType<typeof httpServer>>;
  before(async () => {
    server = await httpServer((req, res) => {
      const p = new URL(req.url, 'http://x').pathname;
      if (p === '/v2/todos')
        return json(res, 200, [{ id: 1, title: 'a', done: false, due: null, kind: 'todo' }]);
      if (p === '/v2/todos/2')
        return json(res, 200, { id: 2, title: 'b', done: 'no', due: '2024-01-01', extra: 1 });
      if (p === '/v2/todos/9') return json(res, 404, { message: 'no such todo' });
      if (p === '/v2/stats') return json(res, 201, { open: 1 });
      json(res, 200, { up: true });
    });
  });
  after(() => server.close());

  it('validates with the 2020-12 dialect and reports the undeclared status and the undocumented route', async () => {
    const p = await project({
      'api/openapi.json': await fixture('todos/openapi.json'),
      'environments/local.yaml': `name: local\nbaseUrl: ${server.url}/v2\nopenapi: ../api/openapi.json\n`,
      'scenarios/list.yaml': 'name: list\nsteps:\n  - http: { url: /todos }\n',
      'scenarios/one.yaml': 'name: one\nsteps:\n  - http: { url: /todos/2 }\n',
      'scenarios/none.yaml': 'name: none\nsteps:\n  - http: { url: /todos/9 }\n    expect: { status: 404 }\n',
      'scenarios/stats.yaml': 'name: stats\nsteps:\n  - http: { url: /stats }\n',
      'scenarios/metrics.yaml': 'name: metrics\nsteps:\n  - http: { url: /metrics }\n',
    });
    try {
      const r = await runCli(['scenarios', '-e', 'local', '-r', 'json'], { cwd: p.dir });
      assert.equal(r.code, 1);
      const result = await readResult(p.dir);
      const by = (name: string) => result.scenarios.find((s) => s.name === name)!;
      assert.equal(by('list').status, 'passed');
      assert.equal(by('none').status, 'passed');
      assert.equal(by('metrics').status, 'passed');
      const one = by('one')
        .steps[0].assertions.filter((a) => !a.passed)
        .map((a) => a.message!.replace(/ \(schema .*\)$/, ''));
      assert.deepEqual(one.sort(), [
        'contract GET /todos/{id}: response → 200 body at /done must be boolean, got "no"',
        'contract GET /todos/{id}: response → 200 body must NOT have unevaluated properties, got {"id":2,"title":"b","done":"no","due":"2024-01-01","extra":1}',
      ]);
      assert.equal(
        by('stats').error?.message,
        'contract GET /stats: status 201 is not declared (declared: 200)',
      );
      const api = result.api!.specs[0];
      assert.equal(api.openapi, '3.1.0');
      assert.deepEqual([api.covered, api.total, api.percent], [3, 4, 75]);
      assert.deepEqual(
        api.operations.filter((o) => !Object.keys(o.statuses).length).map((o) => o.id),
        ['POST /todos'],
      );
      assert.deepEqual(api.undocumented, [{ request: 'GET /v2/metrics', count: 1 }]);
    } finally {
      await p.cleanup();
    }
  });
});
