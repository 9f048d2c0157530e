import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { ClientError, HttpClient } from '../../src/steps/http/client.js';
import { clientDefaults } from '../helpers/cli.js';
import { ResponseParser, WireClient, WireError, type WireResponse } from '../../src/steps/http/wire.js';

const base = clientDefaults;

/** A TCP server that answers each connection with `answer(requestHead, socket)`. */
async function rawServer(answer: (head: string, socket: net.Socket) => void) {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, end);
        const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        buf = buf.slice(end + 4 + length);
        answer(head, socket);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const parse = (text: string | Buffer[], method = 'GET', maxBody = 1 << 20) => {
  const p = new ResponseParser(method, maxBody);
  const chunks = typeof text === 'string' ? [Buffer.from(text, 'latin1')] : text;
  let done = false;
  for (const c of chunks) done = p.push(c);
  return { p, done };
};

describe('HTTP/1.1 wire client: response parsing', () => {
  it('reads Content-Length, chunked (with extensions and trailers) and split packets', () => {
    const fixed = parse('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\nx-a: 2\r\n\r\nhello');
    assert.equal(fixed.done, true);
    assert.equal(fixed.p.body.toString(), 'hello');
    assert.equal(fixed.p.headers['x-a'], '1, 2');
    const chunked =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: t\r\n\r\n';
    assert.equal(parse(chunked).p.body.toString(), 'Wikipedia');
    // The same response one byte at a time.
    const bytes = [...Buffer.from(chunked)].map((b) => Buffer.from([b]));
    const split = parse(bytes);
    assert.equal(split.done, true);
    assert.equal(split.p.body.toString(), 'Wikipedia');
    assert.equal(split.p.keepAlive, true);
  });

  it('skips 1xx interim responses; HEAD, 204 and 304 have no body; close and HTTP/1.0 end reuse', () => {
    const early = parse(
      'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok',
    );
    assert.equal(early.p.status, 201);
    assert.equal(early.p.body.toString(), 'ok');
    const head = parse('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n', 'HEAD');
    assert.equal(head.done, true);
    assert.equal(head.p.body.length, 0);
    assert.equal(parse('HTTP/1.1 204 No Content\r\n\r\n').done, true);
    assert.equal(parse('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n').done, true);
    assert.equal(
      parse('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n').p.keepAlive,
      false,
    );
    const old = parse('HTTP/1.0 200 OK\r\n\r\nuntil the end');
    assert.equal(old.done, false);
    assert.equal(old.p.keepAlive, false);
    assert.equal(old.p.end(), true);
    assert.equal(old.p.body.toString(), 'until the end');
    const extra = parse('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab');
    assert.equal(extra.p.extra, true);
  });

  it('refuses malformed responses and bodies over the limit', () => {
    const code = (text: string, maxBody?: number) => {
      try {
        parse(text, 'GET', maxBody);
      } catch (error) {
        return (error as WireError).code;
      }
      return 'no error';
    };
    assert.equal(code('SSH-2.0-OpenSSH\r\n\r\n'), 'E_PROTOCOL');
    assert.equal(code('HTTP/1.1 200 OK\r\nno colon here\r\n\r\n'), 'E_PROTOCOL');
    assert.equal(code('HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n'), 'E_PROTOCOL');
    assert.equal(code('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'), 'E_PROTOCOL');
    assert.equal(
      code('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWikiXX\r\n0\r\n\r\n'),
      'E_PROTOCOL',
    );
    assert.equal(code('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n', 10), 'E_TOO_LARGE');
    assert.equal(
      code('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n' + 'x'.repeat(32), 10),
      'E_TOO_LARGE',
    );
  });
});

describe('HTTP/1.1 wire client: connections', () => {
  const client = new HttpClient();
  after(() => client.close());

  it('sends one well-formed request: Host, Content-Length in bytes, latin1 headers, UTF-8 body', async () => {
    const seen: http.IncomingMessage[] = [];
    const bodies: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req);
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        bodies.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await client.request({
        ...base,
        method: 'POST',
        url: `${url}/p?q=1&x=%20`,
        headers: { 'X-Name': 'Zoë', 'Content-Length': '999' },
        body: 'привет',
      });
      await client.request({ ...base, method: 'POST', url: `${url}/empty` });
      await client.request({
        ...base,
        method: 'GET',
        url: 'http://user:p%40ss@127.0.0.1:' + new URL(url).port + '/auth',
      });
      assert.equal(seen[0].url, '/p?q=1&x=%20');
      assert.equal(seen[0].headers.host, new URL(url).host);
      assert.equal(seen[0].headers['content-length'], String(Buffer.byteLength('привет')));
      assert.equal(Buffer.from(seen[0].headers['x-name'] as string, 'latin1').toString('latin1'), 'Zoë');
      assert.equal(bodies[0], 'привет');
      assert.equal(seen[1].headers['content-length'], '0');
      assert.equal(seen[2].headers.authorization, `Basic ${Buffer.from('user:p@ss').toString('base64')}`);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('refuses a header value with a line break (no request smuggling)', async () => {
    await assert.rejects(
      client.request({
        ...base,
        method: 'GET',
        url: 'http://127.0.0.1:9/',
        headers: { 'X-A': 'a\r\nX-B: b' },
      }),
      (e: ClientError) => e.code === 'E_HEADER' && /X-A/.test(e.message),
    );
  });

  it('reuses one connection for sequential requests and decodes gzip, deflate and br', async () => {
    const server = await rawServer((head, socket) => {
      const path = head.split(' ')[1];
      const body = Buffer.from(JSON.stringify({ path }));
      const encoded =
        path === '/gzip'
          ? zlib.gzipSync(body)
          : path === '/deflate'
            ? zlib.deflateSync(body)
            : path === '/br'
              ? zlib.brotliCompressSync(body)
              : body;
      const encoding = path === '/plain' ? '' : `Content-Encoding: ${path.slice(1)}\r\n`;
      socket.write(`HTTP/1.1 200 OK\r\n${encoding}Content-Length: ${encoded.length}\r\n\r\n`);
      socket.write(encoded);
    });
    try {
      for (const p of ['/plain', '/gzip', '/deflate', '/br']) {
        const r = await client.request({ ...base, method: 'GET', url: server.url + p });
        assert.deepEqual(JSON.parse(r.text), { path: p });
      }
      assert.equal(server.connections(), 1);
    } finally {
      await server.close();
    }
  });

  it('resends an idempotent request once when the server closed a kept-alive connection; never a POST', async () => {
    let answered = 0;
    const served = new WeakMap<net.Socket, number>();
    const server = await rawServer((_head, socket) => {
      // The first request of a connection is answered; a second one on the same connection finds
      // it closed (the race of a keep-alive timeout on the server side).
      const n = (served.get(socket) ?? 0) + 1;
      served.set(socket, n);
      if (n > 1) return void socket.destroy();
      answered++;
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    try {
      assert.equal((await client.request({ ...base, method: 'GET', url: server.url })).text, 'ok');
      assert.equal((await client.request({ ...base, method: 'GET', url: server.url })).text, 'ok');
      assert.equal(answered, 2);
      assert.equal(server.connections(), 2);
      // A POST is never resent: the server might have acted on it.
      await assert.rejects(
        client.request({ ...base, method: 'POST', url: server.url, body: 'x' }),
        (e: ClientError) => e.code === 'ECONNRESET',
      );
      assert.equal(answered, 2);
      // ...and it does not reuse a connection that sat idle past `staleAfterMs`.
      const wire = new WireClient({ staleAfterMs: 50 });
      const target = {
        protocol: 'http:' as const,
        hostname: '127.0.0.1',
        port: new URL(server.url).port,
        insecure: false,
      };
      const send = (method: string) =>
        new Promise<WireResponse>((resolve, reject) =>
          wire.send(
            target,
            { method, path: '/', headers: {}, body: method === 'POST' ? 'x' : undefined },
            1024,
            (error, res) => (error ? reject(error) : resolve(res!)),
          ),
        );
      try {
        assert.equal((await send('GET')).status, 200);
        await new Promise((r) => setTimeout(r, 100));
        assert.equal((await send('POST')).status, 200);
        assert.equal(answered, 4);
        assert.equal(server.connections(), 4);
      } finally {
        wire.close();
      }
    } finally {
      await server.close();
    }
    const rude = await rawServer((_head, socket) => socket.destroy());
    try {
      await assert.rejects(
        client.request({ ...base, method: 'GET', url: rude.url }),
        (e: ClientError) => e.code === 'ECONNRESET',
      );
    } finally {
      await rude.close();
    }
  });

  it('refuses an invalid URL and other protocols; reports undecodable and oversized compressed bodies', async () => {
    await assert.rejects(
      client.request({ ...base, method: 'GET', url: 'http://exa mple.com/' }),
      (e: ClientError) => e.code === 'E_URL' && e.message === 'invalid URL "http://exa mple.com/"',
    );
    await assert.rejects(
      client.request({ ...base, method: 'GET', url: 'ftp://127.0.0.1/file' }),
      (e: ClientError) => e.code === 'E_PROTOCOL' && e.message === 'unsupported protocol ftp:',
    );
    // 65 MiB of zeros compress to about 65 KB: over the 64 MiB bound once decompressed.
    const bomb = zlib.gzipSync(Buffer.alloc(65 * 1024 * 1024));
    const server = await rawServer((head, socket) => {
      const body = head.startsWith('GET /bomb') ? bomb : Buffer.from('not gzip at all');
      socket.write(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${body.length}\r\n\r\n`);
      socket.write(body);
    });
    try {
      await assert.rejects(
        client.request({ ...base, method: 'GET', url: `${server.url}/broken` }),
        (e: ClientError) => /^could not decode the gzip body: /.test(e.message) && e.code === 'Z_DATA_ERROR',
      );
      await assert.rejects(
        client.request({ ...base, method: 'GET', url: `${server.url}/bomb`, timeoutMs: 10_000 }),
        (e: ClientError) => e.code === 'E_TOO_LARGE' && e.message === 'response body over 64 MiB',
      );
    } finally {
      await server.close();
    }
  });

  it('reads a body that ends with the connection (HTTP/1.0) and a truncated one as an error', async () => {
    const server = await rawServer((head, socket) => {
      if (head.startsWith('GET /old'))
        return void socket.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nold style body');
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort');
    });
    try {
      const r = await client.request({ ...base, method: 'GET', url: `${server.url}/old` });
      assert.equal(r.text, 'old style body');
      await assert.rejects(
        client.request({ ...base, method: 'GET', url: `${server.url}/short` }),
        (e: ClientError) => e.code === 'ECONNRESET',
      );
    } finally {
      await server.close();
    }
  });

  it('queues requests over the per-origin limit; a cancelled queued request never goes out', async () => {
    const wire = new WireClient({ maxPerOrigin: 1 });
    const seen: string[] = [];
    const server = await rawServer((head, socket) => {
      seen.push(head.split(' ')[1]);
      setTimeout(() => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), 30);
    });
    const target = {
      protocol: 'http:' as const,
      hostname: '127.0.0.1',
      port: new URL(server.url).port,
      insecure: false,
    };
    const send = (path: string) => {
      let inFlight!: { cancel(): void };
      const done = new Promise<WireResponse>((resolve, reject) => {
        inFlight = wire.send(target, { method: 'GET', path, headers: {} }, 1024, (error, res) =>
          error ? reject(error) : resolve(res!),
        );
      });
      return { done, cancel: () => inFlight.cancel() };
    };
    try {
      const a = send('/a');
      const b = send('/b');
      const c = send('/c');
      b.cancel();
      assert.equal((await a.done).status, 200);
      assert.equal((await c.done).status, 200);
      assert.deepEqual(seen, ['/a', '/c']);
      assert.equal(server.connections(), 1);
      wire.close();
      await assert.rejects(send('/d').done, (e: WireError) => e.code === 'E_CLOSED');
    } finally {
      wire.close();
      await server.close();
    }
  });

  it('closes a connection that finishes after close(): nothing stays open', async () => {
    const wire = new WireClient();
    let closedByClient = 0;
    const server = await rawServer((_head, socket) => {
      socket.on('end', () => closedByClient++);
      setTimeout(() => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'), 50);
    });
    const target = {
      protocol: 'http:' as const,
      hostname: '127.0.0.1',
      port: new URL(server.url).port,
      insecure: false,
    };
    try {
      const answer = new Promise<WireResponse>((resolve, reject) =>
        wire.send(target, { method: 'GET', path: '/', headers: {} }, 1024, (error, res) =>
          error ? reject(error) : resolve(res!),
        ),
      );
      wire.close();
      assert.equal((await answer).body.toString(), 'ok');
      const deadline = Date.now() + 2000;
      while (closedByClient === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(closedByClient, 1);
    } finally {
      await server.close();
    }
  });

  it('does not keep the process alive with idle connections', async () => {
    const server = await rawServer((_h, socket) =>
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'),
    );
    const script = `
      import { HttpClient } from ${JSON.stringify(new URL('../../src/steps/http/client.ts', import.meta.url).href)};
      const c = new HttpClient();
      const r = await c.request({ method: 'GET', url: ${JSON.stringify(server.url)}, headers: {}, timeoutMs: 2000,
        signal: new AbortController().signal, followRedirects: true, insecure: false });
      console.log(r.status);`;
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    try {
      const t0 = Date.now();
      const { stdout: out } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        {
          encoding: 'utf8',
          timeout: 10_000,
        },
      );
      assert.equal(out.trim(), '200');
      assert.ok(Date.now() - t0 < 8000);
    } finally {
      await server.close();
    }
  });
});

describe('HTTP/1.1 wire client against node:http', () => {
  let server: http.Server;
  let url: string;
  const client = new HttpClient();
  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/chunked') {
        res.write('part one, ');
        setTimeout(() => res.end('part two'), 10);
        return;
      }
      if (req.url === '/continue') {
        res.writeContinue();
        res.writeHead(200, { 'content-type': 'text/plain' });
        return void res.end('after continue');
      }
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.end(req.method === 'HEAD' ? undefined : 'x'.repeat(200_000));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    client.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('reads chunked, 100-continue, large multi-packet bodies and HEAD', async () => {
    assert.equal(
      (await client.request({ ...base, method: 'GET', url: `${url}/chunked` })).text,
      'part one, part two',
    );
    assert.equal(
      (await client.request({ ...base, method: 'GET', url: `${url}/continue` })).text,
      'after continue',
    );
    const big = await client.request({ ...base, method: 'GET', url: `${url}/big` });
    assert.equal(big.text.length, 200_000);
    assert.deepEqual(big.headers['set-cookie'], ['a=1', 'b=2']);
    const head = await client.request({ ...base, method: 'HEAD', url: `${url}/big` });
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    // 50 concurrent requests still answer in order of their own connections.
    const many = await Promise.all(
      Array.from({ length: 50 }, () => client.request({ ...base, method: 'GET', url: `${url}/chunked` })),
    );
    assert.ok(many.every((r) => r.text === 'part one, part two'));
  });
});
