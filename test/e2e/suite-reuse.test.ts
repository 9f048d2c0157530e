import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpServer, json, project, runCli } from '../helpers/cli.js';

const LOGIN = `# yaml-language-server: $schema=../schemas/flow.schema.json
name: login
inputs:
  email: null          # required
  password: Secret123!
steps:
  - name: register
    http:
      method: POST
      url: /register
      json: { email: "{{email}}", password: "{{password}}" }
    expect: { status: 201 }
    capture: { token: $.token }
  - include: audit.yaml
    with: { what: "login {{email}}" }
`;
const AUDIT = `name: audit
inputs: { what: null }
steps:
  - name: audit entry
    http: { method: POST, url: /audit, json: { what: "{{what}}" } }
    expect: { status: 200 }
`;

describe('reuse: include of flow files with with: inputs', () => {
  let server: Awaited<ReturnType<typeof httpServer>>;
  before(async () => {
    server = await httpServer((req, res) => {
      const u = new URL(req.url, 'http://x');
      if (u.pathname === '/register') {
        const body = JSON.parse(req.body) as { email: string };
        return json(res, 201, { token: `tok-${body.email}` });
      }
      if (u.pathname === '/audit') return json(res, u.searchParams.has('fail') ? 500 : 200, {});
      if (u.pathname === '/me') return json(res, 200, { auth: req.headers.authorization ?? null });
      json(res, 404, {});
    });
  });
  after(() => server.close());
  const env = () => `name: local\nbaseUrl: ${server.url}\n`;

  it('runs included steps under the caller, with their own locations, and shares captures', async () => {
    const p = await project({
      'environments/local.yaml': env(),
      'flows/login.yaml': LOGIN,
      'flows/audit.yaml': AUDIT,
      'scenarios/profile.yaml': `name: Profile shows the user
vars: { email: "reuse-{{runId}}@example.com" }
steps:
  - include: ../flows/login.yaml
    with: { email: "{{email}}" }
  - name: me
    http: { url: /me, headers: { Authorization: "Bearer {{token}}" } }
    expect:
      body: { $.auth: "Bearer tok-{{email}}" }
`,
    });
    try {
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const report = JSON.parse(await readFile(path.join(p.dir, 'reports/flowrun.json'), 'utf8'));
      const steps = report.scenarios[0].steps as {
        name: string;
        location: { file: string; line: number };
        includedFrom?: { file: string; line: number }[];
      }[];
      assert.deepEqual(
        steps.map((s) => [
          s.name,
          `${s.location.file}:${s.location.line}`,
          (s.includedFrom ?? []).map((l) => `${l.file}:${l.line}`),
        ]),
        [
          ['register', 'flows/login.yaml:7', ['scenarios/profile.yaml:4']],
          ['audit entry', 'flows/audit.yaml:4', ['scenarios/profile.yaml:4', 'flows/login.yaml:14']],
          ['me', 'scenarios/profile.yaml:6', []],
        ],
      );
      const audit = server.requests.find((q) => q.url === '/audit');
      assert.match(audit!.body, /"what":"login reuse-[0-9a-f]+@example\.com"/);
    } finally {
      await p.cleanup();
    }
  });

  it('a failing included step points at the flow file and the include chain', async () => {
    const p = await project({
      'environments/local.yaml': env(),
      'flows/audit.yaml': AUDIT.replace('url: /audit,', 'url: "/audit?fail=1",'),
      'scenarios/x.yaml': `name: Audit fails
steps:
  - include: ../flows/audit.yaml
    with: { what: x }
`,
    });
    try {
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /✗ step "audit entry"\s+at flows\/audit\.yaml:4:5/);
      assert.match(r.stdout, /included from scenarios\/x\.yaml:3/);
      assert.match(r.stdout, /status: expected 200, got 500\s+at flows\/audit\.yaml:6:15/);
    } finally {
      await p.cleanup();
    }
  });

  it('reports include cycles, missing and unknown inputs, missing flows and flow schema errors, located', async () => {
    const p = await project({
      'environments/local.yaml': env(),
      'flows/login.yaml': LOGIN,
      'flows/audit.yaml': AUDIT,
      'flows/a.yaml': `name: a\nsteps:\n  - include: b.yaml\n`,
      'flows/b.yaml': `name: b\nsteps:\n  - include: a.yaml\n`,
      'flows/bad.yaml': `name: bad\nstepz: []\nsteps: []\n`,
      'scenarios/cycle.yaml': `name: Cycle\nsteps:\n  - include: ../flows/a.yaml\n`,
      'scenarios/missing-input.yaml': `name: Missing input\nsteps:\n  - include: ../flows/login.yaml\n`,
      'scenarios/unknown-input.yaml': `name: Unknown input\nsteps:\n  - include: ../flows/login.yaml\n    with: { email: a@b.c, pasword: x }\n`,
      'scenarios/no-flow.yaml': `name: No flow\nsteps:\n  - include: ../flows/nope.yaml\n`,
      'scenarios/bad-flow.yaml': `name: Bad flow\nsteps:\n  - include: ../flows/bad.yaml\n`,
    });
    try {
      const before = server.requests.length;
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      const e = r.stderr;
      assert.match(
        e,
        /flows\/b\.yaml:3:14: error: include cycle: scenarios\/cycle\.yaml -> flows\/a\.yaml -> flows\/b\.yaml -> flows\/a\.yaml/,
      );
      assert.match(
        e,
        /scenarios\/missing-input\.yaml:3:5: error: include of flows\/login\.yaml is missing the input "email"/,
      );
      assert.match(
        e,
        /scenarios\/unknown-input\.yaml:4:27: error: flows\/login\.yaml has no input "pasword"\n\s+hint: did you mean "password"\?/,
      );
      assert.match(e, /scenarios\/no-flow\.yaml:3:14: error: included flow not found: flows\/nope\.yaml/);
      assert.match(e, /flows\/bad\.yaml:2:1: error: unknown key "stepz"/);
      assert.equal(server.requests.length, before, 'nothing ran');
    } finally {
      await p.cleanup();
    }
  });
});
