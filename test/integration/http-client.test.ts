import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { ClientError, HttpClient } from '../../src/steps/http/client.js';
import { clientDefaults, httpServer } from '../helpers/cli.js';

const base = clientDefaults;

describe('http client (node:http keep-alive)', () => {
  const client = new HttpClient();
  let a: Awaited<ReturnType<typeof httpServer>>;
  let b: Awaited<ReturnType<typeof httpServer>>;
  before(async () => {
    b = await httpServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ on: 'b', auth: req.headers.authorization ?? null }));
    });
    a = await httpServer((req, res) => {
      if (req.url === '/see-other') return void res.writeHead(303, { location: '/landing' }).end();
      if (req.url === '/keep') return void res.writeHead(307, { location: '/landing' }).end();
      if (req.url === '/away') return void res.writeHead(302, { location: `${b.url}/x` }).end();
      if (req.url === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
      if (req.url === '/gzip') {
        res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/json' });
        return void res.end(zlib.gzipSync(JSON.stringify({ zipped: true })));
      }
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 1500);
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
      res.end(JSON.stringify({ method: req.method, url: req.url, body: req.body }));
    });
  });
  after(async () => {
    client.close();
    await a.close();
    await b.close();
  });

  it('follows 303 as GET without the body, 307 keeping method and body', async () => {
    const r1 = await client.request({
      ...base,
      method: 'POST',
      url: `${a.url}/see-other`,
      body: '{"x":1}',
      headers: { 'content-type': 'application/json' },
    });
    assert.deepEqual(JSON.parse(r1.text), { method: 'GET', url: '/landing', body: '' });
    const r2 = await client.request({ ...base, method: 'POST', url: `${a.url}/keep`, body: 'payload' });
    assert.deepEqual(JSON.parse(r2.text), { method: 'POST', url: '/landing', body: 'payload' });
    assert.deepEqual(r2.headers['set-cookie'], ['a=1', 'b=2']);
  });

  it('drops credentials on a redirect to another host; stops redirect loops; can not follow', async () => {
    const r = await client.request({
      ...base,
      method: 'GET',
      url: `${a.url}/away`,
      headers: { Authorization: 'Bearer t' },
    });
    assert.deepEqual(JSON.parse(r.text), { on: 'b', auth: null });
    await assert.rejects(
      client.request({ ...base, method: 'GET', url: `${a.url}/loop` }),
      (e: ClientError) => e.code === 'E_REDIRECTS' && /more than 5 redirects/.test(e.message),
    );
    const direct = await client.request({
      ...base,
      method: 'GET',
      url: `${a.url}/see-other`,
      followRedirects: false,
    });
    assert.equal(direct.status, 303);
  });

  it('decompresses gzip bodies', async () => {
    const r = await client.request({ ...base, method: 'GET', url: `${a.url}/gzip` });
    assert.deepEqual(JSON.parse(r.text), { zipped: true });
  });

  it('times out, aborts, and reports refused connections with codes', async () => {
    const t0 = Date.now();
    await assert.rejects(
      client.request({ ...base, method: 'GET', url: `${a.url}/slow`, timeoutMs: 200 }),
      (e: ClientError) => e.code === 'ETIMEDOUT',
    );
    assert.ok(Date.now() - t0 < 1000);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('stop')), 50);
    await assert.rejects(
      client.request({ ...base, method: 'GET', url: `${a.url}/slow`, signal: ac.signal }),
      (e: ClientError) => e.code === 'ABORTED',
    );
    const already = new AbortController();
    already.abort(new Error('before'));
    await assert.rejects(
      client.request({ ...base, method: 'GET', url: `${a.url}/slow`, signal: already.signal }),
      (e: ClientError) => e.code === 'ABORTED',
    );
    await assert.rejects(
      client.request({ ...base, method: 'GET', url: 'http://127.0.0.1:9/' }),
      (e: ClientError) => e.code === 'ECONNREFUSED',
    );
  });

  it('refuses a self-signed certificate unless insecure is set', async (t) => {
    let openssl = true;
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
    } catch {
      openssl = false;
    }
    if (!openssl) return t.skip('openssl is not installed');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flowrun-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        path.join(dir, 'k.pem'),
        '-out',
        path.join(dir, 'c.pem'),
      ],
      { stdio: 'ignore' },
    );
    const server = https.createServer(
      { key: readFileSync(path.join(dir, 'k.pem')), cert: readFileSync(path.join(dir, 'c.pem')) },
      (_req, res) => res.end('tls ok'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      await assert.rejects(client.request({ ...base, method: 'GET', url }), (e: ClientError) =>
        /self.signed|certificate/i.test(e.message),
      );
      const r = await client.request({ ...base, method: 'GET', url, insecure: true });
      assert.equal(r.text, 'tls ok');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
