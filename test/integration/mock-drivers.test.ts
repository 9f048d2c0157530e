/**
 * The same scenario-level behaviour against the three drivers: flowrun's embedded server, a real
 * MockServer 8 and a real WireMock 3 (jars from node_modules, started on 127.0.0.1).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Resources } from '../../src/util/resources.js';
import { startMockServers, type MockDriver } from '../../src/mock/index.js';
import { verifyRunner, type VerifyConfig } from '../../src/steps/verify/runner.js';
import { renderValue } from '../../src/template/render.js';
import type { MockExpectationSpec, ScenarioSpec } from '../../src/types.js';
import type { StepContext } from '../../src/steps/types.js';
import { startMockServer, startWireMock, type Peer } from '../helpers/mock-peers.js';
import { skipWithout } from '../helpers/tools.js';

// The MockServer and WireMock jars run on Java; without it their tests are skipped.
const skipJava = skipWithout('java');

const loc = { file: 'scenario.yaml', line: 1, col: 1 };
const render = (value: unknown, extra?: Record<string, unknown>) =>
  renderValue(value, { runId: 'run1', currency: 'RUB', ...(extra ?? {}) });

async function call(
  base: string,
  method: string,
  path: string,
  json?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: json === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: json === undefined ? undefined : JSON.stringify(json),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain text
  }
  return { status: res.status, body };
}

const spec = (
  server: string,
  e: Partial<MockExpectationSpec> & { id: string; request: Record<string, unknown> },
) => ({ server, location: loc, ...e }) as MockExpectationSpec;

let peers: Peer[] = [];
const resources = new Resources();
let drivers: Record<string, MockDriver> = {};

before(async () => {
  if (skipJava) {
    drivers = await resources.get('mocks', () =>
      startMockServers({ embedded: { name: 'embedded', port: 0 } }, resources),
    );
    return;
  }
  peers = await Promise.all([startMockServer(), startWireMock()]);
  console.log(`peer startup: mockserver ${peers[0].startupMs} ms, wiremock ${peers[1].startupMs} ms`);
  drivers = await resources.get('mocks', () =>
    startMockServers(
      {
        embedded: { name: 'embedded', port: 0 },
        mockserver: { name: 'mockserver', mockserver: peers[0].url },
        wiremock: { name: 'wiremock', wiremock: peers[1].url },
      },
      resources,
    ),
  );
});

after(async () => {
  await resources.close();
  await Promise.all(peers.map((p) => p.stop()));
});

let scopeCounter = 0;
function scenario(server: string, mocks: MockExpectationSpec[]): ScenarioSpec {
  return {
    id: `mock-drivers.yaml#case ${++scopeCounter} [${server}]`,
    name: 'case',
    file: 'mock-drivers.yaml',
    location: loc,
    tags: [],
    covers: [],
    coversLocations: [],
    vars: {},
    parameters: {},
    mocks,
    setup: [],
    steps: [],
    teardown: [],
    writes: false,
  };
}

function verify(s: ScenarioSpec, config: VerifyConfig, deadlineMs = 15_000) {
  const ctx = {
    environment: {},
    resources,
    scenario: s,
    signal: new AbortController().signal,
    deadline: Date.now() + deadlineMs,
    location: loc,
    render: (v: unknown) => v,
  } as unknown as StepContext;
  return verifyRunner.run(config, ctx);
}

const failures = (out: Awaited<ReturnType<typeof verify>>) => (out.assertions ?? []).filter((a) => !a.passed);

for (const server of ['embedded', 'mockserver', 'wiremock']) {
  describe(`mock driver: ${server}`, { skip: server === 'embedded' ? false : skipJava }, () => {
    const d = () => drivers[server];

    test('register, call, verify count and json, unmatched, removal', async () => {
      const charge = spec(server, {
        id: 'charge',
        request: { method: 'POST', path: '/api/v1/payments', json: { currency: '{{currency}}' } },
        response: { status: 201, json: { id: 'pay_{{runId}}', status: 'succeeded' } },
      });
      const s = scenario(server, [charge]);
      await d().register(s.id, s.mocks, render);
      const ok = await call(d().url, 'POST', '/api/v1/payments', {
        amount: 200,
        currency: 'RUB',
        card: { last4: '4242' },
      });
      assert.equal(ok.status, 201);
      assert.deepEqual(ok.body, { id: 'pay_run1', status: 'succeeded' });

      const miss = await call(d().url, 'POST', '/api/v1/payments', { amount: 200.0, currency: 'USD' });
      assert.equal(miss.status, 404);

      const once = await verify(s, { mock: 'charge', times: { exactly: 1 }, json: { amount: 200 } });
      assert.deepEqual(failures(once), []);
      assert.equal(once.values.count, 1);
      const { requests } = once.root as {
        requests: { json: { card: { last4: string } }; rawBody: string; headers: Record<string, string> }[];
      };
      assert.equal(requests[0].json.card.last4, '4242');
      assert.deepEqual(JSON.parse(requests[0].rawBody), {
        amount: 200,
        currency: 'RUB',
        card: { last4: '4242' },
      });
      assert.equal(requests[0].headers['content-type'], 'application/json');
      assert.deepEqual(once.scope, { request: requests[0] });

      const twice = await verify(s, { mock: 'charge', times: { exactly: 2 } });
      const [times] = failures(twice);
      assert.equal(times.path, 'times');
      assert.match(times.message!, /to be called exactly 2 times, but it was called 1 time/);
      assert.match(
        times.message!,
        /closest recorded requests, and why they did not match:\n {2}#\d+ POST \/api\/v1\/payments: json \$\.currency: expected "RUB", got "USD"/,
      );
      assert.match(times.message!, /requests recorded on \w+ during this scenario \(2\):/);

      const json = await verify(s, { mock: 'charge', json: { amount: 300 } });
      assert.equal(failures(json)[0].path, 'json');
      assert.match(
        failures(json)[0].message!,
        /1 of 1 matching requests fail json:\n {2}#\d+ POST \/api\/v1\/payments: json \$\.amount: expected 300, got 200/,
      );

      const { unmatched } = await d().unregister(s.id);
      assert.equal(unmatched.length, 1);
      assert.equal((unmatched[0] as { path: string }).path, '/api/v1/payments');
      assert.match(JSON.stringify(unmatched[0]), /USD/);

      const gone = await call(d().url, 'POST', '/api/v1/payments', { amount: 200, currency: 'RUB' });
      assert.equal(gone.status, 404, 'expectations are removed when the scenario ends');

      // A later scenario with the same expectation does not see the earlier calls.
      const later = scenario(server, [charge]);
      await d().register(later.id, later.mocks, render);
      const never = await verify(later, { mock: 'charge', times: { exactly: 0 } });
      assert.deepEqual(failures(never), []);
      assert.equal(never.values.count, 0);
      await d().unregister(later.id);
    });

    test('responses in order, times, priority, templated echo, query and headers', async () => {
      const s = scenario(server, [
        spec(server, {
          id: 'flaky',
          request: { method: 'POST', path: '/charges' },
          responses: [{ status: 503 }, { status: 201, json: { ok: true } }],
        }),
        spec(server, {
          id: 'once',
          request: { method: 'GET', path: '/once' },
          response: { status: 200 },
          times: 1,
        }),
        spec(server, {
          id: 'fallback',
          request: { method: 'GET', pathPattern: '/orders/[0-9]+' },
          response: { status: 200, json: { who: 'fallback' } },
        }),
        spec(server, {
          id: 'special',
          priority: 10,
          request: { method: 'GET', path: '/orders/42' },
          response: { status: 200, json: { who: 'special' } },
        }),
        spec(server, {
          id: 'echo',
          request: {
            method: 'POST',
            path: '/echo',
            query: { mode: 'full' },
            headers: { 'X-Tenant': { matches: 't-[0-9]+' } },
          },
          response: { status: 202, json: { orderId: '{{request.json.orderId}}', path: '{{request.path}}' } },
        }),
      ]);
      await d().register(s.id, s.mocks, render);
      assert.equal((await call(d().url, 'POST', '/charges', {})).status, 503);
      assert.equal((await call(d().url, 'POST', '/charges', {})).status, 201);
      assert.equal((await call(d().url, 'POST', '/charges', {})).status, 201, 'the last response repeats');
      assert.equal((await call(d().url, 'GET', '/once')).status, 200);
      assert.equal((await call(d().url, 'GET', '/once')).status, 404, 'times: 1 answers once');
      assert.deepEqual((await call(d().url, 'GET', '/orders/42')).body, { who: 'special' });
      assert.deepEqual((await call(d().url, 'GET', '/orders/7')).body, { who: 'fallback' });
      const echo = await call(
        d().url,
        'POST',
        '/echo?mode=full',
        { orderId: 'ord-77' },
        { 'X-Tenant': 't-1' },
      );
      assert.equal(echo.status, 202);
      assert.deepEqual(echo.body, { orderId: 'ord-77', path: '/echo' });
      assert.equal(
        (await call(d().url, 'POST', '/echo?mode=short', { orderId: 'x' }, { 'X-Tenant': 't-1' })).status,
        404,
      );

      const inline = await verify(s, {
        server,
        request: { method: 'GET', pathPattern: '/orders/.*' },
        times: { atLeast: 2, atMost: 2 },
      });
      assert.deepEqual(failures(inline), []);
      const tenant = await verify(s, { mock: 'echo', headers: { 'x-tenant': 't-2' }, times: { exactly: 1 } });
      assert.match(failures(tenant)[0].message!, /header x-tenant: expected "t-2", got "t-1"/);
      await d().unregister(s.id);
    });

    test('verify within waits for an asynchronous call', async () => {
      const s = scenario(server, [
        spec(server, {
          id: 'email',
          request: { method: 'POST', path: '/emails' },
          response: { status: 202 },
        }),
      ]);
      await d().register(s.id, s.mocks, render);
      const timer = setTimeout(() => void call(d().url, 'POST', '/emails', { to: 'a@b.c' }), 400);
      const started = Date.now();
      const out = await verify(s, { mock: 'email', times: { atLeast: 1 }, within: '5s' });
      clearTimeout(timer);
      assert.deepEqual(failures(out), []);
      assert.ok(Date.now() - started >= 300, 'it waited for the call');
      const late = await verify(s, { mock: 'email', times: { atLeast: 2 }, within: '300ms' });
      assert.match(
        failures(late)[0].message!,
        /at least 2 times, but it was called 1 time \(waited up to 300ms, \d+ checks\)/,
      );
      await d().unregister(s.id);
    });

    test('exactly/atMost within a window: a second call 1 s later fails it; the raw body is kept', async () => {
      const s = scenario(server, [
        spec(server, {
          id: 'hook',
          request: { method: 'POST', path: '/hooks' },
          response: { status: 204 },
        }),
      ]);
      await d().register(s.id, s.mocks, render);
      const body = '{"event":"order.created",  "id":1}';
      const send = () =>
        fetch(`${d().url}/hooks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-signature': 'sha256=abc' },
          body,
          signal: AbortSignal.timeout(10_000),
        });
      await send();
      const second = setTimeout(() => void send(), 1000);
      const started = Date.now();
      const out = await verify(s, { mock: 'hook', times: { exactly: 1 }, within: '2s' });
      clearTimeout(second);
      const [times] = failures(out);
      assert.match(
        times.message!,
        /to be called exactly 1 time, but it was called 2 times \(waited up to 2s/,
      );
      assert.ok(Date.now() - started >= 900, `the second call came ~1 s later (${Date.now() - started} ms)`);
      const { requests } = out.root as { requests: { rawBody: string; headers: Record<string, string> }[] };
      assert.equal(requests[0].rawBody, body, 'the body text as received, spacing included');
      assert.equal(requests[0].headers['x-signature'], 'sha256=abc');

      const atMost = await verify(s, { mock: 'hook', times: { atMost: 2 }, within: '600ms' });
      assert.deepEqual(failures(atMost), []);
      assert.equal(atMost.values.count, 2);
      await d().unregister(s.id);
    });
  });
}

describe('mock drivers: a server that is not there', () => {
  test('connect fails within its deadline, naming the server and its URL, at the environment entry', async () => {
    const { MockServerDriver } = await import('../../src/mock/drivers/mockserver.js');
    const { WireMockDriver } = await import('../../src/mock/drivers/wiremock.js');
    const where = { file: 'environments/ci.yaml', line: 7, col: 5 };
    // A port nothing listens on (fetch refuses well-known ports such as 9 outright).
    const { createServer } = await import('node:net');
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const base = `http://127.0.0.1:${port}`;
    for (const connect of [
      () => MockServerDriver.connect('payments', base, where, 300),
      () => WireMockDriver.connect('payments', `${base}/`, where, 300),
    ]) {
      const t0 = Date.now();
      await assert.rejects(connect(), (e: Error & { code?: string; location?: unknown }) => {
        assert.ok(
          e.message.startsWith(`mock server "payments" at ${base}`) &&
            /is not reachable: .*ECONNREFUSED/.test(e.message),
          e.message,
        );
        assert.equal(e.code, 'E_MOCK_DRIVER');
        assert.deepEqual(e.location, where);
        return true;
      });
      assert.ok(Date.now() - t0 < 3000);
    }
  });
});
