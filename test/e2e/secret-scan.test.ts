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

/** Every encoding flowrun itself gives a value, plus base64 of a longer text that contains it. */
function encodings(s: string): Record<string, string> {
  const form = new URLSearchParams([['', s]]).toString().slice(1);
  return {
    raw: s,
    json: JSON.stringify(s).slice(1, -1),
    url: encodeURIComponent(s),
    uri: encodeURI(s),
    form,
    base64: Buffer.from(s).toString('base64'),
    base64url: Buffer.from(s).toString('base64url'),
    // `Basic base64(user:secret)`: the secret's bytes start at offsets 1 and 2 of a base64 group.
    basicUser1: Buffer.from(`u:${s}`).toString('base64').slice(4, -4),
    basicUser2: Buffer.from(`us:${s}`).toString('base64').slice(4, -4),
  };
}

const TOKEN = 'tok_9f8e7d6c5b4a3210';
const CLIENT_SECRET = "Pa55word! (it's) ~x*y";
const SHORT = 'secret';

describe('secret scan: every encoding, captured tokens, curl lines, service logs, names kept', () => {
  let server: Awaited<ReturnType<typeof httpServer>>;
  before(async () => {
    server = await httpServer((req, res) => {
      if (req.url.startsWith('/login')) return json(res, 200, { token: TOKEN });
      if (req.url.startsWith('/evil')) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        return void res.end(
          'oops\n::add-mask::nothing\n  ::error file=x.yaml::pwned\nx ##[set-output name=a;]b\n\x1b]0;owned title\x07\x1b[2J\x9bcleared',
        );
      }
      json(res, 200, {
        echo: req.body,
        url: req.url,
        auth: req.headers.authorization,
        basic: req.headers['x-basic'],
      });
    });
  });
  after(() => server.close());

  it('masks secrets and tokens in every output and keeps scenario names and ids', async () => {
    const p = await project({
      'environments/local.yaml': `name: local
baseUrl: ${server.url}
secrets:
  clientSecret: "{{env.FLOWRUN_E2E_CLIENT_SECRET}}"
  word: "{{env.FLOWRUN_E2E_SHORT}}"
services:
  echo:
    command: node -e "console.log('started with ' + process.env.KEY); console.error('stderr ' + process.env.KEY); setInterval(() => {}, 1000)"
    env: { KEY: "{{secrets.clientSecret}}" }
`,
      'scenarios/secret-login.yaml': `name: The secret login flow
steps:
  - name: log in with the secret
    http:
      method: POST
      url: /login
      form: { client_id: app, client_secret: "{{secrets.clientSecret}}" }
    capture:
      token: { path: $.token, secret: true }
  - name: use everything
    http:
      method: POST
      url: /echo
      query: { s: "{{secrets.clientSecret}}" }
      headers:
        Authorization: "Bearer {{token}}"
        X-Basic: "Basic {{base64 (concat 'user:' secrets.clientSecret)}}"
        X-B64: "{{base64 secrets.clientSecret}}"
      json: { s: "{{secrets.clientSecret}}", t: "{{token}}", word: "{{secrets.word}}" }
    expect:
      status: 201
`,
      'scenarios/evil.yaml': `name: Evil body
steps:
  - name: the server answers with commands
    http: { url: /evil }
    expect: { status: 200 }
`,
    });
    try {
      const r = await runCli(['--env', 'local', '-r', 'console,json,junit,html,markdown,ndjson,github'], {
        cwd: p.dir,
        env: { FLOWRUN_E2E_CLIENT_SECRET: CLIENT_SECRET, FLOWRUN_E2E_SHORT: SHORT },
      });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      // The real values reached the server (so masking is what hid them).
      assert.ok(
        server.requests.some((q) =>
          q.body.includes(new URLSearchParams([['', CLIENT_SECRET]]).toString().slice(1)),
        ),
      );
      assert.ok(server.requests.some((q) => q.headers.authorization === `Bearer ${TOKEN}`));

      const files = await allFiles(path.join(p.dir, 'reports'));
      const names = files.map((f) => path.relative(path.join(p.dir, 'reports'), f)).sort();
      assert.ok(names.includes(path.join('services', 'echo.log')), names.join(', '));
      const log = await readFile(path.join(p.dir, 'reports', 'services', 'echo.log'), 'utf8');
      assert.match(log, /started with \*\*\*\*\*/);
      assert.match(log, /stderr \*\*\*\*\*/);

      const outputs: [string, string][] = [
        ['stdout', r.stdout],
        ['stderr', r.stderr],
        ...(await Promise.all(
          files.map(async (f): Promise<[string, string]> => [f, await readFile(f, 'utf8')]),
        )),
      ];
      for (const [where, text] of outputs) {
        for (const [value, what] of [
          [CLIENT_SECRET, 'client secret'],
          [TOKEN, 'token'],
        ] as const)
          for (const [form, encoded] of Object.entries(encodings(value)))
            assert.ok(!text.includes(encoded), `${what} (${form}: ${encoded}) leaked in ${where}`);
      }

      // Curl lines in the console and the JSON report hide the Authorization header.
      assert.match(r.stdout, /-H 'Authorization: Bearer \*\*\*\*\*'/);
      const report = JSON.parse(await readFile(path.join(p.dir, 'reports', 'flowrun.json'), 'utf8')) as {
        scenarios: {
          id: string;
          name: string;
          file: string;
          steps: { name: string; exchange?: { curl: string } }[];
        }[];
      };
      const curls = report.scenarios.flatMap((s) => s.steps.map((st) => st.exchange?.curl ?? ''));
      assert.ok(
        curls.some((c) => c.includes("-H 'Authorization: Bearer *****'")),
        curls.join('\n'),
      );

      // A secret that is a common word never changes names, ids or files.
      const login = report.scenarios.find((s) => s.file.endsWith('secret-login.yaml'))!;
      assert.equal(login.name, 'The secret login flow');
      assert.match(login.id, /secret/);
      assert.deepEqual(
        login.steps.map((s) => s.name),
        ['log in with the secret', 'use everything'],
      );
      assert.match(r.stdout, /The secret login flow/);
      // ...while the value itself is masked where it is a value.
      assert.ok(!JSON.stringify(login.steps[1]).includes('"word":"secret"'));

      // Workflow commands and terminal escapes from the body are neutralised on the console.
      for (const line of r.stdout.split('\n')) {
        if (line.startsWith('::error file=') && line.includes('title=')) continue; // flowrun's own annotations
        assert.doesNotMatch(line, /^\s*::(add-mask|error|warning|set-output|stop-commands)/, line);
      }
      assert.ok(!r.stdout.includes('##['), 'no ##[ command');
      // eslint-disable-next-line no-control-regex
      assert.ok(!/[\x1b\x07\x9b]/.test(r.stdout), 'no control characters on the console');
      assert.match(r.stdout, /\\u001b\]0;owned title\\u0007/);
    } finally {
      await p.cleanup();
    }
  });

  it('refuses an unknown key beside secret in a capture, with the location', async () => {
    const p = await project({
      'environments/local.yaml': `name: local\nbaseUrl: ${server.url}\n`,
      'scenarios/a.yaml': `name: A
steps:
  - http: { url: /login }
    capture:
      token: { path: $.token, secrett: true }
`,
    });
    try {
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /scenarios\/a\.yaml:5:\d+/);
      assert.match(r.stderr, /secret/);
    } finally {
      await p.cleanup();
    }
  });
});
