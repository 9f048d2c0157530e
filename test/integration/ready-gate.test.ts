import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { describeCheck, formatReadyFailures, parseHostPort, waitForReady } from '../../src/services/ready.js';
import type { ReadyCheck } from '../../src/model/environment.js';
import { freePort } from '../../src/services/ports.js';
import { testDatabaseUrl, testRedisUrl } from '../helpers/servers.js';
import { skipWithout } from '../helpers/tools.js';

const skip = skipWithout('redis-server');

let server: Server;
let base: string;
let healthyAt = 0;

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/health') {
      const up = Date.now() >= healthyAt;
      res.writeHead(up ? 200 : 503).end(up ? 'ok' : 'warming up');
    } else if (req.url === '/no-content') res.writeHead(204).end();
    else if (req.url === '/redirect') res.writeHead(302, { location: '/login' }).end();
    else res.writeHead(500).end('boom');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const check = (init: Partial<ReadyCheck>): ReadyCheck => ({ timeoutMs: 5000, intervalMs: 100, ...init });

describe('waitForReady', () => {
  test('http, tcp, sql and redis checks pass against live servers', { skip }, async () => {
    healthyAt = 0;
    const started = Date.now();
    const result = await waitForReady(
      [
        check({ http: `${base}/health` }),
        check({ tcp: new URL(base).host }),
        check({ sql: testDatabaseUrl() }),
        check({ redis: testRedisUrl() }),
        check({ http: `${base}/no-content`, status: 204 }),
        check({ http: `${base}/redirect` }),
      ],
      {},
    );
    assert.deepEqual(result, { ok: true, failures: [] });
    assert.ok(Date.now() - started < 2000);
  });

  test('a service that becomes healthy late is waited for', async () => {
    healthyAt = Date.now() + 600;
    const started = Date.now();
    const result = await waitForReady([check({ http: `${base}/health` })], {});
    assert.equal(result.ok, true);
    assert.ok(Date.now() - started >= 550, `${Date.now() - started} ms`);
  });

  test('failures name the target, the last error and the attempts; all checks run concurrently', async () => {
    healthyAt = Date.now() + 60_000;
    const deadPort = await freePort();
    const badDb = new URL(testDatabaseUrl());
    badDb.password = 'wrong-password';
    const checks = [
      check({ http: `${base}/health`, timeoutMs: 800 }),
      check({ http: `${base}/health`, status: 200, timeoutMs: 800 }),
      check({ tcp: `127.0.0.1:${deadPort}`, timeoutMs: 800 }),
      check({ sql: badDb.toString(), timeoutMs: 800 }),
      check({ redis: `redis://127.0.0.1:${deadPort}`, timeoutMs: 800 }),
      check({ http: `http://127.0.0.1:${deadPort}/health`, timeoutMs: 800 }),
    ];
    const started = Date.now();
    const result = await waitForReady(checks, {});
    const took = Date.now() - started;
    assert.ok(took >= 750 && took < 2500, `took ${took} ms (sequential would be ~4.8 s)`);
    assert.equal(result.ok, false);
    assert.equal(result.failures.length, 6);
    const [http, httpStatus, tcp, sql, redis, refused] = result.failures;
    assert.equal(http.target, `http ${base}/health`);
    assert.equal(http.error, 'HTTP 503 (expected 2xx/3xx): warming up');
    assert.ok(http.attempts >= 3, `attempts ${http.attempts}`);
    assert.equal(http.check, checks[0]);
    assert.equal(httpStatus.error, 'HTTP 503 (expected 200): warming up');
    assert.equal(tcp.target, `tcp 127.0.0.1:${deadPort}`);
    assert.equal(tcp.error, 'connection refused');
    assert.match(sql.target, /^sql postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\//);
    assert.equal(sql.error, 'password authentication failed for user "postgres"');
    assert.equal(redis.error, 'connection refused');
    assert.equal(refused.error, 'connection refused');
    assert.equal(
      formatReadyFailures([tcp]),
      `not ready: tcp 127.0.0.1:${deadPort} after 0.8s (${tcp.attempts} attempts): connection refused`,
    );
  });

  test('an aborted gate returns at once with what was not ready', async () => {
    const controller = new AbortController();
    const deadPort = await freePort();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    const result = await waitForReady([check({ tcp: `127.0.0.1:${deadPort}`, timeoutMs: 30_000 })], {
      signal: controller.signal,
    });
    assert.ok(Date.now() - started < 1500, `${Date.now() - started} ms`);
    assert.equal(result.ok, false);
    assert.equal(result.failures[0].error, 'interrupted');
  });

  test('host:port parsing and masked targets', () => {
    assert.deepEqual(parseHostPort('127.0.0.1:5432'), { host: '127.0.0.1', port: 5432 });
    assert.deepEqual(parseHostPort('tcp://localhost:80'), { host: 'localhost', port: 80 });
    assert.deepEqual(parseHostPort('[::1]:6379'), { host: '::1', port: 6379 });
    assert.throws(() => parseHostPort('localhost'), /"localhost" is not host:port/);
    assert.equal(
      describeCheck(check({ redis: 'redis://:pw@127.0.0.1:6379/0' })),
      'redis redis://:***@127.0.0.1:6379/0',
    );
  });
});
