import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpServer, json, project, runCli } from '../helpers/cli.js';

/** A session-cookie application: login sets `session`, /api/me needs it, logout expires it. */
describe('http cookies: a per-scenario jar, expectations and captures, masking', () => {
  let server: Awaited<ReturnType<typeof httpServer>>;
  const sessions = new Map<string, string>();
  before(async () => {
    server = await httpServer((req, res) => {
      const cookies = Object.fromEntries(
        (req.headers.cookie ?? '')
          .split(';')
          .map((c) => c.trim().split('='))
          .filter((c) => c[0]),
      );
      if (req.url === '/login' && req.method === 'POST') {
        const { user } = JSON.parse(req.body) as { user: string };
        const sid = `sid-${user}-${sessions.size + 1}-s3cr3tvalue`;
        sessions.set(sid, user);
        return json(res, 200, { ok: true }, {
          'set-cookie': [`session=${sid}; Path=/; HttpOnly`, 'theme=dark; Path=/'],
        } as unknown as Record<string, string>);
      }
      if (req.url === '/login-redirect' && req.method === 'POST') {
        sessions.set('sid-redirected', 'redirected');
        res.writeHead(302, { location: '/api/me', 'set-cookie': 'session=sid-redirected; Path=/' });
        return void res.end();
      }
      if (req.url === '/api/me') {
        const user = sessions.get(cookies.session ?? '');
        return user ? json(res, 200, { user }) : json(res, 401, { error: 'not logged in' });
      }
      if (req.url === '/logout' && req.method === 'POST') {
        sessions.delete(cookies.session ?? '');
        return json(
          res,
          200,
          { ok: true },
          {
            'set-cookie': 'session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
          },
        );
      }
      if (req.url === '/echo') return json(res, 200, { cookie: req.headers.cookie ?? null });
      json(res, 404, {});
    });
  });
  after(() => server.close());

  const env = (extra = '') => `name: local\nbaseUrl: ${server.url}\nhttp:\n  timeout: 5s\n${extra}`;

  it('logs in with a session cookie, is authorised by it, and logout expires it', async () => {
    const p = await project({
      'environments/local.yaml': env(),
      'scenarios/login.yaml': `name: Session login
parameters: { who: [ann, bob] }
steps:
  - name: not logged in yet
    http: { url: /api/me }
    expect: { status: 401, cookies: { session: { exists: false } } }
  - name: login
    http: { method: POST, url: /login, json: { user: "{{who}}" } }
    expect:
      status: 200
      headers: { set-cookie: { length: 2 } }
      cookies: { session: { matches: "^sid-{{who}}-" }, theme: dark }
    capture:
      sid: { cookie: session }
  - name: me
    http: { url: /api/me }
    expect: { status: 200, body: { $.user: "{{who}}" } }
  - name: the captured value is the cookie
    http: { url: /echo, cookies: false, headers: { X-Sid: "{{sid}}" } }
    expect: { body: { $.cookie: null } }
  - name: logout
    http: { method: POST, url: /logout }
    expect: { status: 200, cookies: { session: { exists: false }, theme: dark } }
  - name: me after logout
    http: { url: /api/me }
    expect: { status: 401 }
`,
    });
    try {
      const r = await runCli(['--env', 'local', '-c', '2'], { cwd: p.dir });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /2 passed, 0 failed \(2 total\)/);
      const report = await readFile(path.join(p.dir, 'reports', 'flowrun.json'), 'utf8');
      // Cookie values are credentials: masked like Authorization, also in captures and assertions.
      assert.ok(!/s3cr3tvalue/.test(report), 'a session cookie value reached the report');
      const parsed = JSON.parse(report);
      const login = parsed.scenarios[0].steps[1];
      assert.equal(login.captures.sid, '*****');
      const me = parsed.scenarios[0].steps[2];
      assert.equal(me.exchange.request.headers.Cookie, '*****');
      assert.ok(
        server.requests.some(
          (q) =>
            q.url === '/api/me' &&
            /^session=sid-ann-\d+-s3cr3tvalue; theme=dark$/.test(q.headers.cookie ?? ''),
        ),
        'the jar sent the session cookie',
      );
    } finally {
      await p.cleanup();
    }
  });

  it('keeps cookies set on a redirect; off with http.cookies: false; a failed cookie check is masked and located', async () => {
    const p = await project({
      'environments/local.yaml': env(),
      'environments/nocookies.yaml': env('  cookies: false\n'),
      'scenarios/redirect.yaml': `name: Login that redirects
steps:
  - http: { method: POST, url: /login-redirect }
    expect: { status: 200, body: { $.user: redirected } }
`,
      'scenarios/wrong.yaml': `name: Wrong cookie value
steps:
  - http: { method: POST, url: /login, json: { user: cat } }
    expect:
      cookies:
        session: sid-nobody
`,
    });
    try {
      const ok = await runCli(['--env', 'local', 'scenarios/redirect.yaml'], { cwd: p.dir });
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      const off = await runCli(['--env', 'nocookies', 'scenarios/redirect.yaml'], { cwd: p.dir });
      assert.equal(off.code, 1);
      assert.match(off.stdout, /status: expected 200, got 401|expected 200, got 401/);
      const bad = await runCli(['--env', 'local', 'scenarios/wrong.yaml'], { cwd: p.dir });
      assert.equal(bad.code, 1);
      assert.match(
        bad.stdout,
        /cookies\.session: expected "\*\*\*\*\*", got "\*\*\*\*\*"\s+at scenarios\/wrong\.yaml:6:9/,
      );
      assert.ok(!bad.stdout.includes('s3cr3tvalue'));
    } finally {
      await p.cleanup();
    }
  });

  it('sends User-Agent flowrun/<version> unless set', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    const p = await project({
      'environments/local.yaml': env(),
      'environments/ua.yaml': env('  userAgent: qa-bot/1.0\n'),
      'scenarios/ua.yaml': `name: User agent
steps:
  - http: { url: /echo?ua=default }
  - http: { url: /echo?ua=step, headers: { user-agent: curl/8 } }
`,
    });
    try {
      assert.equal((await runCli(['--env', 'local'], { cwd: p.dir })).code, 0);
      assert.equal((await runCli(['--env', 'ua'], { cwd: p.dir })).code, 0);
      const agents = server.requests
        .filter((q) => q.url.startsWith('/echo?ua='))
        .map((q) => [q.url, q.headers['user-agent']]);
      assert.deepEqual(agents, [
        ['/echo?ua=default', `flowrun/${version}`],
        ['/echo?ua=step', 'curl/8'],
        ['/echo?ua=default', 'qa-bot/1.0'],
        ['/echo?ua=step', 'curl/8'],
      ]);
    } finally {
      await p.cleanup();
    }
  });
});
