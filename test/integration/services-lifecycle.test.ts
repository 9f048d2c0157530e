import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import type { ServiceConfig } from '../../src/model/environment.js';
import { Resources } from '../../src/util/resources.js';
import { FlowrunError } from '../../src/errors.js';
import { startServices } from '../../src/services/index.js';
import { freePort } from '../../src/services/ports.js';
import { groupMembers, isAlive, spawnManaged } from '../../src/services/process.js';
import { renderValue } from '../../src/template/render.js';
import { skipWithout } from '../helpers/tools.js';

let outDir: string;
before(() => {
  outDir = mkdtempSync(join(tmpdir(), 'flowrun-services-test-'));
});
after(() => rmSync(outDir, { recursive: true, force: true }));

function setup() {
  const servicesScope: Record<string, { url?: string }> = {};
  const resources = new Resources();
  const options = {
    render: (value: unknown) => renderValue(value, { services: servicesScope, env: process.env }),
    servicesScope,
    outDir,
    resources,
  };
  return { servicesScope, resources, options };
}

async function startFails(
  services: ServiceConfig[],
  resources: Resources,
  options: Parameters<typeof startServices>[1],
) {
  try {
    await startServices(services, options);
  } catch (error) {
    assert.ok(error instanceof FlowrunError, String(error));
    return error;
  } finally {
    await resources.close();
  }
  assert.fail('expected startServices to fail');
}

const pgTempDirs = () =>
  readdirSync(tmpdir())
    .filter((name) => name.startsWith('flowrun-pg-'))
    .map((name) => join(tmpdir(), name));

/** postmaster.pid lines: pid, data dir, start time, port, ... */
const readPidFile = (dir: string): string[] => {
  try {
    return readFileSync(join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return [];
  }
};

/** A tiny HTTP server as a command service: answers /health and echoes an env variable. */
const serverScript = (variable: string) =>
  `node -e "require('http').createServer((q, s) => s.end(process.env.${variable} || '')).listen(process.env.PORT, '127.0.0.1')"`;

describe('services', () => {
  test('embedded PostgreSQL starts, is usable via {{services.db.url}}, and is removed on stop', async () => {
    const { servicesScope, resources, options } = setup();
    const before = pgTempDirs();
    const started = Date.now();
    await startServices([{ name: 'db', postgres: 'embedded', options: { database: 'shop' } }], options);
    const created = pgTempDirs().filter((dir) => !before.includes(dir));
    const startMs = Date.now() - started;
    const url = servicesScope.db.url!;
    assert.match(url, /^postgres:\/\/postgres:[0-9a-f]+@127\.0\.0\.1:\d+\/shop$/);
    // Other test files may start clusters at the same time: ours is the one on our port.
    const port = new URL(url).port;
    const ours = created.filter((dir) => readPidFile(dir)[3] === port);
    assert.equal(ours.length, 1, `one new data folder serves port ${port}`);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query('SELECT current_database() AS db, 1 + 1 AS two');
    await client.end();
    assert.deepEqual(rows, [{ db: 'shop', two: 2 }]);
    const log = join(outDir, 'services', 'db.log');
    assert.match(readFileSync(log, 'utf8'), /database system is ready to accept connections/);

    const stopStarted = Date.now();
    assert.deepEqual(await resources.close(), []);
    const stopMs = Date.now() - stopStarted;
    const refused = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    await assert.rejects(refused.connect(), /ECONNREFUSED/);
    assert.equal(existsSync(ours[0]), false, `${ours[0]} removed`);
    console.log(`embedded PostgreSQL: start ${startMs} ms, stop ${stopMs} ms`);
  });

  test('local Redis starts on a free port and stops', { skip: skipWithout('redis-server') }, async () => {
    const { servicesScope, resources, options } = setup();
    await startServices([{ name: 'cache', redis: 'local' }], options);
    const url = servicesScope.cache.url!;
    assert.match(url, /^redis:\/\/127\.0\.0\.1:\d+$/);
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await client.connect();
    assert.equal(await client.ping(), 'PONG');
    assert.deepEqual(await client.config('GET', 'save'), ['save', '']);
    client.disconnect();
    await resources.close();
    const after = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    after.on('error', () => undefined);
    await assert.rejects(after.connect());
    after.disconnect();
  });

  test('redis: local without redis-server on PATH is E_REDIS_MISSING with install advice', async () => {
    const { resources, options } = setup();
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const error = await startFails([{ name: 'cache', redis: 'local' }], resources, options);
      assert.equal(error.code, 'E_REDIS_MISSING');
      assert.equal(
        error.message,
        'redis-server was not found on PATH (needed by service "cache"); ' +
          'install it: apt-get install redis-server (Debian/Ubuntu) or brew install redis (macOS)',
      );
    } finally {
      process.env.PATH = path;
    }
  });

  test('a command service sees earlier services, becomes ready, logs to <outDir>/services, and stops', async (t) => {
    const skip = skipWithout('redis-server');
    if (skip) return t.skip(skip);
    const { servicesScope, resources, options } = setup();
    const port = await freePort();
    await startServices(
      [
        { name: 'cache', redis: 'local' },
        {
          name: 'app',
          command: serverScript('REDIS_URL'),
          env: { PORT: String(port), REDIS_URL: '{{services.cache.url}}' },
          ready: { http: `http://127.0.0.1:${port}/health`, timeoutMs: 10_000, intervalMs: 100 },
        },
      ],
      options,
    );
    assert.equal(servicesScope.app.url, `http://127.0.0.1:${port}`);
    const body = await (await fetch(`${servicesScope.app.url}/health`)).text();
    assert.equal(body, servicesScope.cache.url);
    const log = readFileSync(join(outDir, 'services', 'app.log'), 'utf8');
    assert.match(log, /^# flowrun: .* starting: node -e/);
    await resources.close();
    await assert.rejects(fetch(`${servicesScope.app.url}/health`), /fetch failed/);
  });

  test('a command that exits before it is ready fails at once with its output', async () => {
    const { resources, options } = setup();
    const started = Date.now();
    const error = await startFails(
      [
        {
          name: 'broken',
          command: 'echo "cannot open config.yml" >&2; exit 3',
          ready: { http: 'http://127.0.0.1:9/health', timeoutMs: 20_000, intervalMs: 100 },
        },
      ],
      resources,
      options,
    );
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    assert.equal(error.code, 'E_SERVICE_NOT_READY');
    assert.match(
      error.message,
      /^service "broken": exited before it was ready; last lines of .*broken\.log:\n/,
    );
    assert.match(error.message, /cannot open config\.yml/);
  });

  test('a command that never becomes ready fails at its deadline and is stopped', async () => {
    const { resources, options } = setup();
    const port = await freePort();
    const error = await startFails(
      [
        {
          name: 'slow',
          command: 'sleep 30',
          ready: { tcp: `127.0.0.1:${port}`, timeoutMs: 600, intervalMs: 100 },
        },
      ],
      resources,
      options,
    );
    assert.match(
      error.message,
      new RegExp(
        `^service "slow": tcp 127\\.0\\.0\\.1:${port} not ready after 0\\.6s \\(\\d+ attempts\\): connection refused; log: `,
      ),
    );
  });

  test('a process group that ignores SIGTERM is SIGKILLed after the grace period', async () => {
    const proc = spawnManaged('/bin/sh', ['-c', "trap '' TERM; sleep 60 & trap '' TERM; wait"], {
      logFile: join(outDir, 'stubborn.log'),
    });
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(groupMembers(proc.pid).length >= 2);
    const started = Date.now();
    await proc.stop({ graceMs: 400 });
    const took = Date.now() - started;
    assert.ok(took >= 350 && took < 3000, `took ${took} ms`);
    assert.deepEqual(groupMembers(proc.pid), []);
    assert.equal(isAlive(proc.pid), false);
  });
});
