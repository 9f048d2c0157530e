import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { Duplex } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ClientError, HttpClient } from '../../src/steps/http/client.js';
import { Jar } from '../../src/steps/http/cookies.js';
import { clientDefaults, httpServer } from '../helpers/cli.js';
import { hasOpenssl, makePki, type TestPki } from '../helpers/tls.js';

const base = clientDefaults;

describe('http redirects: credentials, Host and the deadline across hops', () => {
  const client = new HttpClient();
  let pki: TestPki | undefined;
  let dual: net.Server | undefined;
  let dualPort = 0;
  const seen: { proto: string; url: string; authorization?: string; cookie?: string }[] = [];
  let a: Awaited<ReturnType<typeof httpServer>>;
  let b: Awaited<ReturnType<typeof httpServer>>;

  before(async () => {
    b = await httpServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ host: req.headers.host, auth: req.headers.authorization ?? null }));
    });
    a = await httpServer((req, res) => {
      if (req.url === '/to-b') return void res.writeHead(302, { location: `${b.url}/x` }).end();
      if (req.url === '/same') return void res.writeHead(302, { location: '/echo' }).end();
      const hop = /^\/hop\/(\d+)$/.exec(req.url);
      if (hop)
        return void setTimeout(
          () => res.writeHead(302, { location: `/hop/${Number(hop[1]) + 1}` }).end(),
          300,
        );
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ host: req.headers.host, auth: req.headers.authorization ?? null }));
    });
    if (!hasOpenssl()) return;
    pki = makePki();
    // https and http on one port (the first byte tells TLS from plain text): a downgrade that
    // keeps host and port, as https://example.com -> http://example.com does.
    const handler = (proto: string) => (req: http.IncomingMessage, res: http.ServerResponse) => {
      seen.push({
        proto,
        url: req.url!,
        authorization: req.headers.authorization,
        cookie: req.headers.cookie,
      });
      if (req.url === '/down') {
        res.writeHead(302, {
          location: `http://127.0.0.1:${dualPort}/landing`,
          'set-cookie': 'plain=1; Path=/',
        });
        return void res.end();
      }
      res.end('ok');
    };
    const tlsServer = https.createServer(
      { key: pki.pem('serverKey'), cert: pki.pem('serverCert') },
      handler('https'),
    );
    const plainServer = http.createServer(handler('http'));
    dual = net.createServer((socket) => {
      socket.once('data', (first) => {
        if (first[0] !== 0x16) {
          socket.pause();
          socket.unshift(first);
          plainServer.emit('connection', socket);
          return void socket.resume();
        }
        // TLS reads a socket's handle directly (bytes put back with unshift would be lost): hand it
        // a stream that starts with the bytes already read.
        const stream = new Duplex({
          read: () => void socket.resume(),
          write: (chunk, encoding, cb) => void socket.write(chunk, encoding, cb),
          final: (cb) => {
            socket.end();
            cb();
          },
          destroy: (error, cb) => {
            socket.destroy();
            cb(error);
          },
        });
        stream.push(first);
        socket.on('data', (chunk) => {
          if (!stream.push(chunk)) socket.pause();
        });
        socket.on('end', () => stream.push(null));
        socket.on('error', (error) => stream.destroy(error));
        tlsServer.emit('connection', stream);
      });
    });
    await new Promise<void>((r) => dual!.listen(0, '127.0.0.1', r));
    dualPort = (dual.address() as AddressInfo).port;
  });
  after(async () => {
    client.close();
    await a.close();
    await b.close();
    dual?.close();
    pki?.cleanup();
  });

  it('does not re-send Authorization or Cookie on an https -> http redirect to the same host', async (t) => {
    if (!pki) return t.skip('openssl is not installed');
    const jar = new Jar();
    jar.store(`https://127.0.0.1:${dualPort}/`, ['secure=1; Path=/; Secure', 'loose=1; Path=/']);
    const r = await client.request({
      ...base,
      method: 'GET',
      url: `https://127.0.0.1:${dualPort}/down`,
      headers: { Authorization: 'Bearer top', Cookie: 'given=1' },
      insecure: true,
      cookies: jar,
    });
    assert.equal(r.status, 200);
    assert.deepEqual(seen, [
      { proto: 'https', url: '/down', authorization: 'Bearer top', cookie: 'given=1; secure=1; loose=1' },
      // What the step wrote does not follow; the jar sends what its rules allow (as browsers do,
      // a loopback address counts as a secure context, so its Secure cookie goes too).
      { proto: 'http', url: '/landing', authorization: undefined, cookie: 'secure=1; loose=1; plain=1' },
    ]);
  });

  it('keeps credentials on a same-host redirect, drops them and a custom Host on another host', async () => {
    const same = await client.request({
      ...base,
      method: 'GET',
      url: `${a.url}/same`,
      headers: { Authorization: 'Bearer t' },
    });
    assert.equal(JSON.parse(same.text).auth, 'Bearer t');
    const other = await client.request({
      ...base,
      method: 'GET',
      url: `${a.url}/to-b`,
      headers: { Authorization: 'Bearer t', Host: 'api.example.test' },
    });
    assert.deepEqual(JSON.parse(other.text), { host: new URL(b.url).host, auth: null });
    assert.equal(a.requests.at(-1)!.headers.host, 'api.example.test');
  });

  it('a timeout bounds the whole redirect chain, not each hop', async () => {
    const t0 = Date.now();
    await assert.rejects(
      client.request({ ...base, method: 'GET', url: `${a.url}/hop/1`, timeoutMs: 1000 }),
      (e: ClientError) => e.code === 'ETIMEDOUT' && /no response within 1000ms/.test(e.message),
    );
    const took = Date.now() - t0;
    assert.ok(took >= 950 && took < 1400, `took ${took} ms`);
  });
});
