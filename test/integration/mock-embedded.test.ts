/**
 * The embedded mock server on its own: busy ports, late requests, journal size, 404 hints,
 * scopes sharing a server, the MockServer control API and `flowrun mock`.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlowrunError } from '../../src/errors.js';
import { Resources } from '../../src/util/resources.js';
import { EmbeddedMockServer, startMockServers } from '../../src/mock/index.js';
import { runMockCommand } from '../../src/cli/commands/mock.js';
import { renderValue } from '../../src/template/render.js';
import type { MockExpectationSpec } from '../../src/types.js';

const loc = { file: 's.yaml', line: 3, col: 5 };
const render = (value: unknown, extra?: Record<string, unknown>) => renderValue(value, { ...(extra ?? {}) });
const spec = (e: Partial<MockExpectationSpec> & { id: string; request: Record<string, unknown> }) =>
  ({ server: 'payments', location: loc, ...e }) as MockExpectationSpec;

async function call(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'text/plain' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  return {
    status: res.status,
    text,
    json: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : undefined,
  };
}

const toClose: { close(): Promise<void> }[] = [];
const dirs: string[] = [];
after(async () => {
  await Promise.all(toClose.map((c) => c.close()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function server(options: { journalLimit?: number } = {}) {
  const s = await EmbeddedMockServer.start({ name: 'payments', port: 0, ...options });
  toClose.push(s);
  return s;
}

describe('embedded mock server', () => {
  test('a busy port is a FlowrunError naming the mock, the port and the environment file', async () => {
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as { port: number }).port;
    const resources = new Resources();
    try {
      await assert.rejects(
        startMockServers(
          {
            email: { name: 'email', port: 0 },
            payments: {
              name: 'payments',
              port,
              location: { file: 'environments/local.yaml', line: 12, col: 3 },
            },
          },
          resources,
        ),
        (error: unknown) => {
          assert.ok(error instanceof FlowrunError);
          assert.equal(error.code, 'E_MOCK_PORT');
          assert.equal(
            error.message,
            `mock server "payments" cannot listen on 127.0.0.1:${port}: the port is already in use (environments/local.yaml:12:3)`,
          );
          return true;
        },
      );
    } finally {
      await resources.close();
      busy.close();
    }
  });

  test('a 404 names the closest expectation and the field that differed', async () => {
    const s = await server();
    const empty = await call(s.url, 'GET', '/nothing');
    assert.equal(empty.status, 404);
    assert.match(
      empty.json.error,
      /no expectations are registered \(no scenario is using this mock server right now\)/,
    );

    await s.register(
      'scenario-a',
      [
        spec({ id: 'charge', request: { method: 'POST', path: '/v1/charges', json: { amount: 1999 } } }),
        spec({ id: 'refund', request: { method: 'POST', path: '/v1/refunds' } }),
      ],
      render,
    );
    // Sent as text/plain: the body is still parsed as JSON.
    const miss = await call(s.url, 'POST', '/v1/charges', { amount: 2000 });
    assert.equal(miss.status, 404);
    assert.equal(miss.json.error, 'flowrun mock "payments": no expectation matched POST /v1/charges');
    assert.deepEqual(miss.json.closest[0], {
      id: 'charge',
      scenario: 'scenario-a',
      differences: ['json $.amount: expected 1999, got 2000'],
    });
    const hit = await call(s.url, 'POST', '/v1/charges', '{"amount": 1999.0, "extra": true}');
    assert.equal(hit.status, 200, 'numbers compare by value, extra keys are allowed');
    const { unmatched } = await s.unregister('scenario-a');
    assert.equal(unmatched.length, 1);
    assert.deepEqual((unmatched[0] as { closest: unknown }).closest, [
      { id: 'charge', scenario: 'scenario-a', differences: ['json $.amount: expected 1999, got 2000'] },
    ]);
  });

  test('a request after the scenario ended is unmatched and not counted for a later scenario', async () => {
    const s = await server();
    const charge = spec({
      id: 'charge',
      request: { method: 'POST', path: '/v1/charges' },
      response: { status: 201 },
    });
    await s.register('first', [charge], render);
    assert.equal((await call(s.url, 'POST', '/v1/charges', {})).status, 201);
    await s.unregister('first');
    const late = await call(s.url, 'POST', '/v1/charges', {});
    assert.equal(late.status, 404);
    assert.match(late.json.error, /no expectations are registered/);
    assert.equal(s.journal.since(0).at(-1)!.status, 404, 'the journal shows it as unmatched');

    await s.register('second', [charge], render);
    const { requests } = await s.requests('second');
    assert.equal(requests.length, 0, 'the late call is outside the second scope');
    assert.deepEqual((await s.unregister('second')).unmatched, []);
  });

  test('scopes with disjoint expectations share a server without counting each other', async () => {
    const s = await server();
    const mk = (email: string) =>
      spec({
        id: 'send',
        request: { method: 'POST', path: '/emails', json: { to: email } },
        response: { status: 202 },
      });
    await s.register('a', [mk('a@x.io')], render);
    await s.register('b', [mk('b@x.io')], render);
    await call(s.url, 'POST', '/emails', { to: 'a@x.io' });
    await call(s.url, 'POST', '/emails', { to: 'b@x.io' });
    await call(s.url, 'POST', '/emails', { to: 'b@x.io' });
    assert.equal((await s.requests('a')).requests.length, 1);
    assert.equal((await s.requests('b')).requests.length, 2);
    await s.unregister('a');
    await s.unregister('b');
  });

  test('1,000 requests: fast, and the journal stays bounded', async () => {
    const s = await server({ journalLimit: 500 });
    await s.register(
      'load',
      [spec({ id: 'ping', request: { method: 'POST', path: '/ping' }, response: { status: 204 } })],
      render,
    );
    const body = JSON.stringify({ payload: 'x'.repeat(100_000) });
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    for (let i = 0; i < 1000; i += 50) {
      const batch = Array.from({ length: 50 }, () =>
        fetch(`${s.url}/ping`, { method: 'POST', body, signal: AbortSignal.timeout(5000) }).then(
          (r) => r.status,
        ),
      );
      assert.deepEqual(new Set(await Promise.all(batch)), new Set([204]));
    }
    const elapsed = performance.now() - started;
    gc?.();
    const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 1048576;
    console.log(
      `1000 requests of 100 KB: ${elapsed.toFixed(0)} ms; heap growth ${heapGrowthMb.toFixed(1)} MB`,
    );
    assert.equal(s.journal.size, 500);
    assert.equal(s.journal.dropped, 500);
    assert.ok(s.journal.since(0).every((r) => r.bodyTruncated && r.body.length === 16 * 1024));
    const { requests, dropped } = await s.requests('load');
    assert.equal(requests.length, 500);
    assert.equal(dropped, 500);
    assert.ok(elapsed < 10_000, `took ${elapsed} ms`);
    // Retained memory is only meaningful after a collection (run with node --expose-gc).
    if (gc) assert.ok(heapGrowthMb < 40, `heap grew ${heapGrowthMb} MB`);
    await s.unregister('load');
  });

  test('MockServer control API: expectation, verify, retrieve, clear, reset', async () => {
    const s = await server();
    const put = (path: string, body?: unknown) =>
      fetch(`${s.url}${path}`, {
        method: 'PUT',
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(5000),
      }).then(async (r) => ({ status: r.status, text: await r.text() }));
    const created = await put('/mockserver/expectation', {
      id: 'charge-ok',
      priority: 10,
      httpRequest: {
        method: 'POST',
        path: '/v1/charges',
        queryStringParameters: { idempotent: ['true'] },
        headers: { Authorization: ['Bearer .+'] },
        body: { type: 'JSON', json: { amount: 1999 }, matchType: 'ONLY_MATCHING_FIELDS' },
      },
      httpResponse: { statusCode: 201, headers: { 'X-Mock': ['flowrun'] }, body: { id: 'ch_1' } },
      times: { remainingTimes: 2, unlimited: false },
    });
    assert.equal(created.status, 201);
    assert.equal(JSON.parse(created.text)[0].id, 'charge-ok');
    const send = (amount: number) =>
      fetch(`${s.url}/v1/charges?idempotent=true`, {
        method: 'POST',
        headers: { authorization: 'Bearer abc', 'content-type': 'application/json' },
        body: JSON.stringify({ amount, currency: 'EUR' }),
      });
    const first = await send(1999);
    assert.equal(first.status, 201);
    assert.equal(first.headers.get('x-mock'), 'flowrun');
    assert.deepEqual(await first.json(), { id: 'ch_1' });
    assert.equal((await send(2000)).status, 404);

    assert.equal(
      (
        await put('/mockserver/verify', {
          expectationId: { id: 'charge-ok' },
          times: { atLeast: 1, atMost: 1 },
        })
      ).status,
      202,
    );
    const failed = await put('/mockserver/verify', {
      httpRequest: { method: 'POST', path: '/v1/charges', body: { type: 'JSON', json: { amount: 1999 } } },
      times: { atLeast: 2 },
    });
    assert.equal(failed.status, 406);
    assert.match(failed.text, /to be called at least 2 times, but it was called 1 time/);
    assert.match(failed.text, /json \$\.amount: expected 1999, got 2000/);
    assert.match(failed.text, /\[authorization: \*\*\*\]/, 'secrets are masked in the listing');
    assert.equal((await put('/mockserver/verify', { expectationId: { id: 'nope' } })).status, 400);

    const retrieved = JSON.parse(
      (await put('/mockserver/retrieve?type=REQUESTS&format=JSON', { path: '/v1/charges' })).text,
    );
    assert.equal(retrieved.length, 2);
    assert.deepEqual(retrieved[1].body, { type: 'JSON', json: { amount: 2000, currency: 'EUR' } });
    const active = JSON.parse((await put('/mockserver/retrieve?type=ACTIVE_EXPECTATIONS')).text);
    assert.equal(active[0].httpRequest.path, '/v1/charges');

    assert.equal((await put('/mockserver/clear?type=EXPECTATIONS', { id: 'charge-ok' })).status, 200);
    assert.equal((await send(1999)).status, 404);
    assert.equal((await put('/mockserver/reset')).status, 200);
    assert.equal(s.journal.size, 0);
    const bad = await put('/mockserver/expectation', {
      httpRequest: { path: '/x' },
      httpForward: { host: 'a' },
    });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /httpForward is not supported/);
  });

  test('flowrun mock: a YAML file of expectations with templated responses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowrun-mockfile-'));
    dirs.push(dir);
    const file = join(dir, 'payments.yaml');
    writeFileSync(
      file,
      [
        'vars:',
        '  prefix: pay',
        'mocks:',
        '  - id: charge',
        '    request: { method: POST, path: /api/v1/payments, json: { currency: RUB } }',
        '    response:',
        '      status: 201',
        '      json: { id: "{{prefix}}_{{request.json.orderId}}", status: succeeded }',
        '  - request: { method: GET, path: /health }',
        '',
      ].join('\n'),
    );
    const mock = await runMockCommand(file, { port: 0 });
    toClose.push(mock);
    const res = await fetch(`${mock.url}/api/v1/payments`, {
      method: 'POST',
      body: JSON.stringify({ orderId: 'o-9', currency: 'RUB' }),
    });
    assert.equal(res.status, 201);
    assert.deepEqual(await res.json(), { id: 'pay_o-9', status: 'succeeded' });
    assert.equal((await fetch(`${mock.url}/health`)).status, 200);
    const verified = await fetch(`${mock.url}/mockserver/verify`, {
      method: 'PUT',
      body: JSON.stringify({ expectationId: { id: 'charge' }, times: { atLeast: 1, atMost: 1 } }),
    });
    assert.equal(verified.status, 202);

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'mocks:\n  - request: { method: POST, paht: /x }\n');
    await assert.rejects(runMockCommand(bad, { port: 0 }), (error: unknown) => {
      assert.ok(error instanceof FlowrunError);
      assert.equal(error.location?.file, bad);
      assert.equal(error.location?.line, 2);
      assert.match(error.message, /paht/);
      return true;
    });
  });
});
