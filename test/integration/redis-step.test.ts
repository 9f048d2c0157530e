import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { Resources } from '../../src/util/resources.js';
import { StepError } from '../../src/errors.js';
import { freePort } from '../../src/services/ports.js';
import { redisKind } from '../../src/steps/redis/index.js';
import { redisRunner } from '../../src/steps/redis/runner.js';
import {
  createTestRedis,
  runTestStep,
  stepContext,
  testEnvironment,
  TEST_LOCATION,
  type TestRedis,
} from '../helpers/servers.js';
import { skipWithout } from '../helpers/tools.js';

const skip = skipWithout('redis-server');

let redis: TestRedis;
let resources: Resources;

before(async () => {
  if (skip) return;
  redis = await createTestRedis('redis-step');
  resources = new Resources();
  const k = redis.prefix;
  await redis.client.hset(`${k}cart`, { sku: 'SKU-1', quantity: '2' });
  await redis.client.set(`${k}counter`, '5');
  await redis.client.set(`${k}doc`, JSON.stringify({ items: [{ sku: 'SKU-1' }], total: 200 }));
  await redis.client.rpush(`${k}list`, 'a', 'b', 'c');
});

after(async () => {
  await resources?.close();
  await redis?.close();
});

const env = () => testEnvironment({ redis: { cache: redis.url, sessions: redis.url } });
const ctx = () => stepContext(env(), resources);
const key = (name: string) => `${redis.prefix}${name}`;

async function rejects(promise: Promise<unknown>): Promise<StepError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof StepError, `expected a StepError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the step to throw');
}

describe('redis runner: results', { skip }, () => {
  test('replies keep Redis types; HGETALL becomes an object', async () => {
    const run = async (command: (string | number)[]) =>
      (await redisRunner.run({ db: 'cache', command }, ctx())).values.result;
    assert.deepEqual(await run(['HGETALL', key('cart')]), { sku: 'SKU-1', quantity: '2' });
    assert.deepEqual(await run(['hgetall', key('missing')]), {});
    assert.equal(await run(['GET', key('counter')]), '5');
    assert.equal(await run(['INCRBY', key('counter'), 3]), 8);
    assert.equal(await run(['EXISTS', key('missing')]), 0);
    assert.equal(await run(['GET', key('missing')]), null);
    assert.deepEqual(await run(['LRANGE', key('list'), 0, -1]), ['a', 'b', 'c']);
  });

  test('$... applies to the result, and to the document a JSON string holds', async () => {
    const out = await redisRunner.run({ db: 'cache', command: ['GET', key('doc')] }, ctx());
    assert.equal(typeof out.values.result, 'string');
    assert.deepEqual(out.root, { items: [{ sku: 'SKU-1' }], total: 200 });
    const hash = await redisRunner.run({ db: 'cache', command: ['HGETALL', key('cart')] }, ctx());
    assert.deepEqual(hash.root, { sku: 'SKU-1', quantity: '2' });
  });

  test('one client per named instance, closed with the run', async () => {
    const local = new Resources();
    const c = stepContext(env(), local);
    await redisRunner.run({ db: 'sessions', command: ['PING'] }, c);
    assert.equal(local.has('redis:sessions'), true);
    const clientsBefore = Number(/connected_clients:(\d+)/.exec(await redis.client.info('clients'))![1]);
    assert.deepEqual(await local.close(), []);
    const deadline = Date.now() + 5000;
    let clientsAfter = clientsBefore;
    while (Date.now() < deadline && clientsAfter >= clientsBefore) {
      await new Promise((r) => setTimeout(r, 50));
      clientsAfter = Number(/connected_clients:(\d+)/.exec(await redis.client.info('clients'))![1]);
    }
    assert.ok(clientsAfter < clientsBefore, `clients ${clientsBefore} -> ${clientsAfter}`);
  });

  test('a client whose connection was killed is replaced on the next step', async () => {
    const local = new Resources();
    const c = stepContext(env(), local);
    await redisRunner.run({ db: 'cache', command: ['CLIENT', 'SETNAME', 'flowrun-victim'] }, c);
    const list = String(await redis.client.call('CLIENT', 'LIST'));
    const id = /id=(\d+) [^\n]*name=flowrun-victim/.exec(list)![1];
    await redis.client.call('CLIENT', 'KILL', 'ID', id);
    // A connection dropped between steps (the client has seen the close): the next step opens a
    // new one instead of failing on the dead client. A drop in the middle of a command fails that
    // command, since whether the server ran it is unknown.
    await new Promise((r) => setTimeout(r, 300));
    const out = await redisRunner.run({ db: 'cache', command: ['PING'] }, c);
    assert.equal(out.values.result, 'PONG');
    await local.close();
  });
});

describe('redis runner: errors', { skip }, () => {
  test('a command running past the step deadline or interrupted fails at once, located at the step', async () => {
    const command = ['BLPOP', key('never-filled'), '5'];
    const started = Date.now();
    const late = await rejects(
      redisRunner.run(
        { db: 'cache', command },
        stepContext(env(), resources, { deadline: Date.now() + 300 }),
      ),
    );
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    assert.equal(
      late.message,
      `redis command did not finish before the step's deadline: BLPOP ${key('never-filled')} 5`,
    );
    assert.equal(late.code, 'E_REDIS_TIMEOUT');
    assert.deepEqual(late.location, TEST_LOCATION);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('interrupted')), 200);
    const stopped = await rejects(
      redisRunner.run({ db: 'cache', command }, stepContext(env(), resources, { signal: ac.signal })),
    );
    assert.equal(stopped.message, `redis command interrupted: BLPOP ${key('never-filled')} 5`);
    assert.deepEqual(stopped.location, TEST_LOCATION);
    // The blocked command does not hold up the next step on the same instance.
    const next = Date.now();
    const out = await redisRunner.run({ db: 'cache', command: ['PING'] }, ctx());
    assert.equal(out.values.result, 'PONG');
    assert.ok(Date.now() - next < 1000, `the next command waited ${Date.now() - next} ms`);
  });

  test('an unknown instance lists the known ones, located at the step', async () => {
    const error = await rejects(redisRunner.run({ db: 'cahce', command: ['PING'] }, ctx()));
    assert.equal(
      error.message,
      'unknown Redis instance "cahce" (did you mean "cache"?): the environment "test" defines: cache, sessions',
    );
    assert.deepEqual(error.location, TEST_LOCATION);
    assert.equal(error.code, 'E_REDIS_UNKNOWN');
  });

  test('an instance whose optional service did not start says why', async () => {
    const unavailable = testEnvironment({
      redis: { cache: '' },
      unavailable: { 'redis.cache': 'services.cache could not start: redis-server was not found on PATH' },
    });
    const error = await rejects(
      redisRunner.run({ db: 'cache', command: ['PING'] }, stepContext(unavailable, new Resources())),
    );
    assert.equal(
      error.message,
      'Redis instance "cache" is not available in this run: services.cache could not start: redis-server was not found on PATH',
    );
  });

  test('connection refused fails fast with host:port, password masked', async () => {
    const port = await freePort();
    const url = `redis://:hunter2@127.0.0.1:${port}/0`;
    const local = new Resources();
    const started = Date.now();
    const error = await rejects(
      redisRunner.run(
        { db: 'cache', command: ['PING'] },
        stepContext(testEnvironment({ redis: { cache: url } }), local),
      ),
    );
    await local.close();
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    assert.equal(
      error.message,
      `cannot connect to Redis "cache" at 127.0.0.1:${port}: connection refused (redis://:***@127.0.0.1:${port}/0); ` +
        'is redis-server running and listening on that port?',
    );
    assert.equal(error.code, 'E_REDIS_CONNECT');
  });

  test('a server that accepts and never answers hits the bounded connect timeout', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const local = new Resources();
    const started = Date.now();
    try {
      const error = await rejects(
        redisRunner.run(
          { db: 'cache', command: ['PING'] },
          stepContext(testEnvironment({ redis: { cache: `redis://127.0.0.1:${port}` } }), local),
        ),
      );
      const took = Date.now() - started;
      assert.ok(took >= 4000 && took < 8000, `took ${took} ms`);
      assert.match(
        error.message,
        new RegExp(`^cannot connect to Redis "cache" at 127\\.0\\.0\\.1:${port}: no answer within 5s`),
      );
    } finally {
      await local.close();
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  test('a wrong password says authentication failed', async () => {
    // An ACL user of its own: the default user stays passwordless for the other tests.
    await redis.client.call('ACL', 'SETUSER', 'flowrun-test', 'on', '>right-pw', '~*', '+@all');
    const url = new URL(redis.url);
    url.username = 'flowrun-test';
    url.password = 'wrong-pw';
    const local = new Resources();
    const error = await rejects(
      redisRunner.run(
        { db: 'cache', command: ['PING'] },
        stepContext(testEnvironment({ redis: { cache: url.toString() } }), local),
      ),
    );
    await local.close();
    assert.match(
      error.message,
      /^cannot connect to Redis "cache" at 127\.0\.0\.1:\d+: authentication failed: /,
    );
    assert.doesNotMatch(error.message, /wrong-pw/);
    assert.match(error.message, /WRONGPASS/);
  });

  test('a command error shows Redis message and the command', async () => {
    const error = await rejects(
      redisRunner.run({ db: 'cache', command: ['HGETALL', key('counter')] }, ctx()),
    );
    assert.equal(
      error.message,
      `Redis command failed on "cache": WRONGTYPE Operation against a key holding the wrong kind of value\n` +
        `  command: HGETALL ${key('counter')}`,
    );
    assert.equal(error.code, 'E_REDIS_COMMAND');
    const unknown = await rejects(redisRunner.run({ db: 'cache', command: ['NOPE', 'x y'] }, ctx()));
    assert.match(
      unknown.message,
      /^Redis command failed on "cache": ERR unknown command 'NOPE'.*\n {2}command: NOPE "x y"$/s,
    );
  });

  test('a command string instead of a list is refused at load time', () => {
    assert.deepEqual(redisKind.check!({ db: 'cache', command: 'GET cart:1' }), [
      {
        path: ['command'],
        message: '`command` is a list of the command and its arguments, e.g. [GET, cart:1]',
      },
    ]);
    assert.deepEqual(redisKind.check!({ db: 'cache', command: ['GET', 'cart:1'] }), []);
    assert.equal(
      redisKind.describe({ db: 'cache', command: ['EXISTS', 'cart:1'] }),
      'redis cache: EXISTS cart:1',
    );
  });
});

describe('redis steps through the engine: expect and poll', { skip }, () => {
  const step = (command: unknown[], rest: Record<string, unknown> = {}) =>
    runTestStep({ kind: 'redis', config: { db: 'cache', command }, ...rest }, env(), resources);

  test('result: value and matchers pass and fail', async () => {
    const passed = await step(['EXISTS', key('missing')], { expect: { result: 0 } });
    assert.equal(passed.status, 'passed', String(passed.error?.message));
    const failed = await step(['EXISTS', key('cart')], { expect: { result: 0 } });
    assert.equal(failed.status, 'failed');
    const a = failed.assertions.find((x) => !x.passed)!;
    assert.equal(a.expected, 0);
    assert.equal(a.actual, 1);
    const hash = await step(['HGETALL', key('cart')], {
      expect: { result: { sku: 'SKU-1', quantity: '2' } },
    });
    assert.equal(hash.status, 'passed', String(hash.error?.message));
  });

  test('$... over the result, pass and fail, and capture', async () => {
    const passed = await step(['GET', key('doc')], {
      expect: { '$.total': { gte: 200 }, '$.items[0].sku': 'SKU-1' },
      capture: { total: '$.total' },
    });
    assert.equal(passed.status, 'passed', String(passed.error?.message));
    assert.equal(passed.captures.total, 200);
    const failed = await step(['HGETALL', key('cart')], { expect: { '$.quantity': '3' } });
    assert.equal(failed.status, 'failed');
    assert.equal(failed.assertions.find((x) => !x.passed)!.actual, '2');
  });

  test('poll waits for a key set late', async () => {
    const timer = setTimeout(() => void redis.client.set(key('late'), 'done'), 500);
    try {
      const result = await step(['GET', key('late')], {
        poll: { until: { result: 'done' }, intervalMs: 100, timeoutMs: 10_000, location: TEST_LOCATION },
      });
      assert.equal(result.status, 'passed', String(result.error?.message));
      assert.ok(result.attempts > 2, `attempts: ${result.attempts}`);
    } finally {
      clearTimeout(timer);
    }
  });
});
