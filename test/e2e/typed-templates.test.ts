import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { httpServer, json, project, runCli } from '../helpers/cli.js';

describe('typed fields accept templates: a single {{expr}} keeps its type', () => {
  it('mock status and delay, expect.status and verify times from templates; wrong types name the field', async () => {
    const p = await project({
      'environments/local.yaml': `name: local
baseUrl: http://127.0.0.1:9
mocks:
  api: { port: 0 }
`,
      'scenarios/typed.yaml': `name: Typed templates
vars: { created: 201, slowly: 300ms, codes: [200, 201], once: "1" }
mocks:
  - id: create
    server: api
    request: { method: POST, path: /things }
    response: { status: "{{created}}", delay: "{{slowly}}", json: { ok: true } }
steps:
  - name: create a thing
    http: { method: POST, url: "{{mocks.api.url}}/things", json: {} }
    expect:
      status: "{{created}}"
      duration: { gte: 250 }
  - name: one of a list
    http: { method: POST, url: "{{mocks.api.url}}/things", json: {} }
    expect: { status: ["{{codes.[0]}}", "{{created}}"] }
  - name: called twice (a count from a text var)
    verify: { mock: create, times: { atLeast: "{{once}}", atMost: 2 } }
`,
      'scenarios/wrong-status.yaml': `name: A status that is not a number
vars: { who: alice }
mocks:
  - id: create
    server: api
    request: { method: POST, path: /things }
    response: { status: 201 }
steps:
  - name: create a thing
    http: { method: POST, url: "{{mocks.api.url}}/things", json: {} }
    expect:
      status: "{{who}}"
`,
      'scenarios/wrong-times.yaml': `name: A count that is not a number
vars: { who: alice }
steps:
  - name: never called
    verify: { server: api, request: { path: /nothing }, times: { exactly: "{{who}}" } }
`,
      'scenarios/wrong-mock-status.yaml': `name: A mock status that is not a number
vars: { who: alice }
mocks:
  - id: create
    server: api
    request: { method: POST, path: /things }
    response: { status: "{{who}}" }
steps:
  - name: create a thing
    http: { method: POST, url: "{{mocks.api.url}}/things", json: {} }
    expect: { status: 201 }
`,
    });
    try {
      const v = await runCli(['validate'], { cwd: p.dir });
      assert.equal(v.code, 0, v.stdout + v.stderr);
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const report = JSON.parse(await readFile(path.join(p.dir, 'reports', 'flowrun.json'), 'utf8'));
      const byName = (n: string) => report.scenarios.find((s: { name: string }) => s.name === n);
      const typed = byName('Typed templates');
      assert.equal(
        typed.status,
        'passed',
        JSON.stringify(typed.steps.map((s: { error?: unknown }) => s.error)),
      );

      const status = byName('A status that is not a number').steps[0];
      assert.equal(status.status, 'failed');
      assert.equal(
        status.error.message,
        'status: expected a status code, a list of them or a matcher, got "alice"',
      );
      assert.deepEqual(status.error.location, { file: 'scenarios/wrong-status.yaml', line: 12, col: 7 });

      const times = byName('A count that is not a number').steps[0];
      assert.equal(times.status, 'failed');
      assert.equal(times.error.message, 'verify times.exactly: expected a whole number >= 0, got "alice"');
      assert.equal(times.error.location.line, 4);

      const mockStatus = byName('A mock status that is not a number');
      assert.equal(mockStatus.status, 'failed');
      assert.match(JSON.stringify(mockStatus), /response\.status: expected an HTTP status, got \\"alice\\"/);
    } finally {
      await p.cleanup();
    }
  });
});

describe('jwt in a scenario: vars and step fields are rendered with asynchronous helpers', () => {
  it('a token signed in vars is accepted by a server that verifies it; jwtDecode reads it back', async () => {
    const { jwtVerify } = await import('jose');
    const server = await httpServer(async (req, res) => {
      const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      try {
        const { payload } = await jwtVerify(token, new TextEncoder().encode('jwt-key-for-tests'));
        json(res, 200, { sub: payload.sub, token });
      } catch (error) {
        json(res, 401, { error: (error as Error).message });
      }
    });
    const p = await project({
      'environments/local.yaml': `name: local\nbaseUrl: ${server.url}\nsecrets: { jwtKey: jwt-key-for-tests }\n`,
      'scenarios/jwt.yaml': `name: Signed tokens
vars:
  claims: { sub: user-7, role: admin }
  token: '{{jwt claims secrets.jwtKey expiresIn="5m"}}'
steps:
  - name: a token from vars
    http: { url: /me, headers: { Authorization: 'Bearer {{token}}' } }
    expect:
      status: 200
      body: { $.sub: user-7 }
    capture: { echoed: $.token }
  - name: a token made in the step, read back
    http: { url: /me, headers: { Authorization: 'Bearer {{jwt (jwtDecode echoed) secrets.jwtKey}}' } }
    expect:
      status: 200
      body: { $.sub: '{{lookup (jwtDecode echoed) "sub"}}' }
`,
    });
    try {
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(server.requests.length, 2);
    } finally {
      await p.cleanup();
      await server.close();
    }
  });
});
