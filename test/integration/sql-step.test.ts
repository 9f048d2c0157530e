import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Resources } from '../../src/util/resources.js';
import { StepError } from '../../src/errors.js';
import { freePort } from '../../src/services/ports.js';
import { sqlKind } from '../../src/steps/sql/index.js';
import { sqlRunner } from '../../src/steps/sql/runner.js';
import {
  createTestDatabase,
  runTestStep,
  sql,
  stepContext,
  testEnvironment,
  TEST_LOCATION,
  type TestDatabase,
} from '../helpers/servers.js';

let db: TestDatabase;
let resources: Resources;

before(async () => {
  db = await createTestDatabase('sql_step');
  await sql(
    db.url,
    `CREATE TABLE orders (
       id serial PRIMARY KEY,
       status text NOT NULL,
       payment_status text,
       total numeric(10,2) NOT NULL,
       items int NOT NULL DEFAULT 1
     );
     INSERT INTO orders (status, payment_status, total, items) VALUES
       ('confirmed', 'paid', 200.00, 2),
       ('pending', NULL, 12.50, 1);`,
  );
  resources = new Resources();
});

after(async () => {
  await resources?.close();
  await db?.drop();
});

const env = () => testEnvironment({ databases: { main: db.url, other: db.url } });
const ctx = () => stepContext(env(), resources);

async function rejects(promise: Promise<unknown>): Promise<StepError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof StepError, `expected a StepError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the step to throw');
}

describe('sql runner: output and type mapping', () => {
  test('rows, rowCount and the rows array as the JSONPath root', async () => {
    const out = await sqlRunner.run(
      { db: 'main', query: 'SELECT status, total FROM orders WHERE total > $1 ORDER BY id', params: [10] },
      ctx(),
    );
    assert.deepEqual(out.values.rows, [
      { status: 'confirmed', total: 200 },
      { status: 'pending', total: 12.5 },
    ]);
    assert.equal(out.values.rowCount, 2);
    assert.equal(out.root, out.values.rows);
    assert.deepEqual((out.summary as { command: string }).command, 'SELECT');
  });

  test('PostgreSQL types become plain JSON values', async () => {
    const out = await sqlRunner.run(
      {
        db: 'main',
        query: `SELECT 42::int AS i, 7::smallint AS s, 9007199254740991::bigint AS big_safe,
                  9007199254740993::bigint AS big_unsafe, count(*) AS n, 12.50::numeric AS money,
                  0.1::numeric AS tenth, 123456789012345678901234.5::numeric AS huge, 'NaN'::numeric AS nan,
                  1.5::float8 AS f, true AS yes, false AS no, '{"a":[1,2]}'::jsonb AS doc, '[1]'::json AS list,
                  '2024-05-01 10:00:00.123456+02'::timestamptz AS at, '2024-05-01 10:00:00.5'::timestamp AS local,
                  '2024-05-01'::date AS day, '1 day 02:00'::interval AS span, NULL::int AS nothing,
                  ARRAY[1,2]::bigint[] AS ids, ARRAY[1.50, 2]::numeric[] AS amounts,
                  'b1c2d3e4-0000-4000-8000-000000000001'::uuid AS uid, '\\x0102'::bytea AS bytes
                FROM orders`,
      },
      ctx(),
    );
    assert.deepEqual((out.values.rows as unknown[])[0], {
      i: 42,
      s: 7,
      big_safe: 9007199254740991,
      big_unsafe: '9007199254740993',
      n: 2,
      money: 12.5,
      tenth: 0.1,
      huge: '123456789012345678901234.5',
      nan: 'NaN',
      f: 1.5,
      yes: true,
      no: false,
      doc: { a: [1, 2] },
      list: [1],
      at: '2024-05-01T08:00:00.123Z',
      local: '2024-05-01T10:00:00.5',
      day: '2024-05-01',
      span: '1 day 02:00:00',
      nothing: null,
      ids: [1, 2],
      amounts: [1.5, 2],
      uid: 'b1c2d3e4-0000-4000-8000-000000000001',
      bytes: '\\x0102',
    });
  });

  test('the parsers are per pool: the global pg type parsers are untouched', async () => {
    const pg = (await import('pg')).default;
    const int8 = (pg.types.getTypeParser as (oid: number) => (text: string) => unknown)(20);
    assert.equal(int8('5'), '5');
  });

  test('params are bound, never spliced; rowCount counts changed rows', async () => {
    const evil = "x'); DROP TABLE orders; --";
    const inserted = await sqlRunner.run(
      {
        db: 'main',
        query: 'INSERT INTO orders (status, total) VALUES ($1, $2) RETURNING id',
        params: [evil, 1],
      },
      ctx(),
    );
    assert.equal(inserted.values.rowCount, 1);
    const id = (inserted.values.rows as { id: number }[])[0].id;
    assert.equal(typeof id, 'number');
    const deleted = await sqlRunner.run(
      { db: 'main', query: 'DELETE FROM orders WHERE status = $1', params: [evil] },
      ctx(),
    );
    assert.equal(deleted.values.rowCount, 1);
    assert.deepEqual(deleted.values.rows, []);
  });

  test('one pool per named database, opened lazily and closed with the run', async () => {
    const local = new Resources();
    const c = stepContext(env(), local);
    assert.equal(local.has('pg:other'), false);
    await sqlRunner.run({ db: 'other', query: 'SELECT 1 AS one' }, c);
    await sqlRunner.run({ db: 'other', query: 'SELECT 1 AS one' }, c);
    assert.equal(local.has('pg:other'), true);
    const open = `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'flowrun' AND pid <> pg_backend_pid()`;
    const before = await sql<{ n: string }>(db.url, open, [db.name]);
    assert.ok(Number(before[0].n) >= 1);
    assert.deepEqual(await local.close(), []);
    // The server notices the closed sockets asynchronously; bounded wait.
    const deadline = Date.now() + 5000;
    let after = before;
    while (Date.now() < deadline) {
      after = await sql<{ n: string }>(db.url, open, [db.name]);
      if (Number(after[0].n) <= Number(before[0].n) - 1) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(Number(after[0].n) < Number(before[0].n), 'the pool connection was closed');
  });
});

describe('sql runner: errors', () => {
  test('an unknown database name lists the known ones, located at the step', async () => {
    const error = await rejects(sqlRunner.run({ db: 'mian', query: 'SELECT 1' }, ctx()));
    assert.equal(
      error.message,
      'unknown database "mian" (did you mean "main"?): the environment "test" defines: main, other',
    );
    assert.deepEqual(error.location, TEST_LOCATION);
    assert.equal(error.code, 'E_SQL_UNKNOWN_DB');
  });

  test('a database whose optional service did not start says why', async () => {
    const unavailable = testEnvironment({
      databases: { main: '' },
      unavailable: { 'databases.main': 'services.db could not start: no PostgreSQL' },
    });
    const error = await rejects(
      sqlRunner.run({ db: 'main', query: 'SELECT 1' }, stepContext(unavailable, new Resources())),
    );
    assert.equal(
      error.message,
      'database "main" is not available in this run: services.db could not start: no PostgreSQL',
    );
    assert.equal(error.code, 'E_SQL_UNAVAILABLE');
  });

  test('no databases at all says how to add them', async () => {
    const error = await rejects(
      sqlRunner.run({ db: 'main', query: 'SELECT 1' }, stepContext(testEnvironment(), new Resources())),
    );
    assert.match(error.message, /defines no databases \(add a `databases:` section\)/);
  });

  test('connection refused names host and port and masks the password', async () => {
    const port = await freePort();
    const url = `postgres://app:s3cret-pw@127.0.0.1:${port}/shop`;
    const local = new Resources();
    const error = await rejects(
      sqlRunner.run(
        { db: 'main', query: 'SELECT 1' },
        stepContext(testEnvironment({ databases: { main: url } }), local),
      ),
    );
    await local.close();
    assert.equal(
      error.message,
      `cannot connect to database "main" at 127.0.0.1:${port}: connection refused ` +
        `(postgres://app:***@127.0.0.1:${port}/shop); is PostgreSQL running and listening on that port?`,
    );
    assert.doesNotMatch(error.message, /s3cret/);
    assert.equal(error.code, 'E_SQL_CONNECT');
    assert.deepEqual(error.location, TEST_LOCATION);
  });

  test('authentication failure says so, password masked', async () => {
    const wrong = new URL(db.url);
    wrong.password = 'not-the-password';
    const local = new Resources();
    const error = await rejects(
      sqlRunner.run(
        { db: 'main', query: 'SELECT 1' },
        stepContext(testEnvironment({ databases: { main: wrong.toString() } }), local),
      ),
    );
    await local.close();
    assert.match(
      error.message,
      new RegExp(
        `^cannot connect to database "main" at 127\\.0\\.0\\.1:${wrong.port}: authentication failed: ` +
          `password authentication failed for user "postgres" \\(postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:${wrong.port}/`,
      ),
    );
    assert.doesNotMatch(error.message, /not-the-password/);
  });

  test('a SQL error shows PostgreSQL message, the query and a caret at the position', async () => {
    const error = await rejects(sqlRunner.run({ db: 'main', query: 'SELECT stauts FROM orders' }, ctx()));
    assert.equal(
      error.message,
      [
        'SQL error on database "main": column "stauts" does not exist (SQLSTATE 42703)',
        '  SELECT stauts FROM orders',
        '         ^',
        'hint: Perhaps you meant to reference the column "orders.status".',
      ].join('\n'),
    );
    assert.equal(error.code, 'E_SQL');
    assert.deepEqual(error.location, TEST_LOCATION);
  });

  test('multi-line queries get numbered lines, the caret under the right line, and the hint', async () => {
    const query = 'SELECT id,\n       status\nFROM orderz\nWHERE id = $1';
    const error = await rejects(sqlRunner.run({ db: 'main', query, params: [1] }, ctx()));
    assert.equal(
      error.message,
      [
        'SQL error on database "main": relation "orderz" does not exist (SQLSTATE 42P01)',
        '  1 | SELECT id,',
        '  2 |        status',
        '  3 | FROM orderz',
        '    |      ^',
        '  4 | WHERE id = $1',
      ].join('\n'),
    );
    const dup = await rejects(
      sqlRunner.run(
        { db: 'main', query: 'INSERT INTO orders (id, status, total) VALUES (1, $1, 1)', params: ['x'] },
        ctx(),
      ),
    );
    assert.match(
      dup.message,
      /duplicate key value violates unique constraint "orders_pkey" \(SQLSTATE 23505\)/,
    );
    assert.match(dup.message, /\ndetail: Key \(id\)=\(1\) already exists\.$/);
  });

  test('a query running past the step deadline fails fast and the next step works', async () => {
    const started = Date.now();
    const error = await rejects(
      sqlRunner.run(
        { db: 'main', query: 'SELECT pg_sleep(5)' },
        stepContext(env(), resources, { deadline: Date.now() + 300 }),
      ),
    );
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    assert.match(error.message, /query on database "main" did not finish before the step's deadline/);
    assert.equal(error.code, 'E_SQL_TIMEOUT');
    assert.deepEqual(error.location, TEST_LOCATION);
    const out = await sqlRunner.run({ db: 'main', query: 'SELECT 1 AS one' }, ctx());
    assert.deepEqual(out.values.rows, [{ one: 1 }]);
  });

  test('a query interrupted by Ctrl-C stops at once, located at the step', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('interrupted')), 100);
    const started = Date.now();
    const error = await rejects(
      sqlRunner.run(
        { db: 'main', query: 'SELECT pg_sleep(5)' },
        stepContext(env(), resources, { signal: ac.signal }),
      ),
    );
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    assert.equal(error.message, 'query on database "main" interrupted');
    assert.equal(error.code, 'E_SQL_TIMEOUT');
    assert.deepEqual(error.location, TEST_LOCATION);
  });
});

describe('sql kind: load-time checks', () => {
  test('a template inside query is refused at path [query], pointing to params', () => {
    const issues = sqlKind.check!({ db: 'main', query: "SELECT * FROM users WHERE email = '{{email}}'" });
    assert.equal(issues.length, 1);
    assert.deepEqual(issues[0].path, ['query']);
    assert.match(issues[0].message, /Write a placeholder \(\$1, \$2, \.\.\.\) and put the value in `params`/);
    assert.deepEqual(sqlKind.check!({ db: 'main', query: 'SELECT $1', params: ['{{email}}'] }), []);
  });

  test('describe and literal keys', async () => {
    assert.equal(
      sqlKind.describe({ db: 'main', query: 'SELECT status\n  FROM orders WHERE id = $1' }),
      'sql main: SELECT status FROM orders WHERE id = $1',
    );
    assert.deepEqual(sqlRunner.literalKeys, ['query']);
    assert.equal(await sqlKind.load(), sqlRunner);
  });
});

describe('sql steps through the engine: expect, capture, poll', () => {
  const step = (config: Record<string, unknown>, rest: Record<string, unknown> = {}) =>
    runTestStep({ kind: 'sql', config: { db: 'main', ...config }, ...rest }, env(), resources);

  test('rowCount and rows (partial, in order) pass', async () => {
    const result = await step(
      { query: 'SELECT id, status, payment_status FROM orders WHERE id = $1', params: [1] },
      { expect: { rowCount: 1, rows: [{ status: 'confirmed', payment_status: 'paid' }] } },
    );
    assert.equal(result.status, 'passed', String(result.error?.message));
    assert.ok(result.assertions.length >= 2);
    assert.ok(result.assertions.every((a) => a.passed));
  });

  test('rowCount that differs fails with expected and actual', async () => {
    const result = await step({ query: 'SELECT id FROM orders WHERE id <= 2' }, { expect: { rowCount: 1 } });
    assert.equal(result.status, 'failed');
    const failed = result.assertions.find((a) => !a.passed)!;
    assert.equal(failed.expected, 1);
    assert.equal(failed.actual, 2);
  });

  test('rows that differ fail, naming the row and the column', async () => {
    const result = await step(
      { query: 'SELECT status FROM orders WHERE id <= 2 ORDER BY id' },
      { expect: { rows: [{ status: 'confirmed' }, { status: 'confirmed' }] } },
    );
    assert.equal(result.status, 'failed');
    const failed = result.assertions.filter((a) => !a.passed);
    assert.equal(failed.length, 1);
    assert.match(failed[0].path, /rows\[1\]/);
    assert.deepEqual(failed[0].actual, { status: 'pending' });
    assert.match(result.error!.message, /status/);
  });

  test('$... JSONPath over the rows with matchers, pass and fail', async () => {
    const passed = await step(
      { query: 'SELECT id, total FROM orders WHERE id <= 2 ORDER BY id' },
      { expect: { '$[0].total': { gt: 100 }, '$[1].total': 12.5, '$.length': 2 } },
    );
    assert.equal(passed.status, 'passed', String(passed.error?.message));
    const failed = await step(
      { query: 'SELECT total FROM orders WHERE id = 2' },
      { expect: { '$[0].total': { gt: 100 } } },
    );
    assert.equal(failed.status, 'failed');
    assert.equal(failed.assertions.find((a) => !a.passed)!.actual, 12.5);
  });

  test('a captured bigint compares as a number in a later step, no quoting', async () => {
    const counted = await step(
      { query: 'SELECT count(*) AS n, max(id) AS last FROM orders' },
      { capture: { last: '$[0].last' } },
    );
    assert.equal(counted.status, 'passed', String(counted.error?.message));
    assert.equal(typeof counted.captures.last, 'number');
    const result = await runTestStep(
      {
        kind: 'sql',
        config: { db: 'main', query: 'SELECT id, items FROM orders WHERE id = $1', params: ['{{last}}'] },
        expect: { rows: [{ id: '{{last}}' }], '$[0].id': { eq: '{{last}}' } },
      },
      env(),
      resources,
      { last: counted.captures.last },
    );
    assert.equal(result.status, 'passed', String(result.error?.message));
  });

  test('poll waits for a row that changes late, then checks expect once', async () => {
    const [{ id }] = await sql<{ id: number }>(
      db.url,
      "INSERT INTO orders (status, total) VALUES ('pending', 5) RETURNING id",
    );
    const timer = setTimeout(
      () => void sql(db.url, "UPDATE orders SET status = 'confirmed' WHERE id = $1", [id]),
      700,
    );
    try {
      const started = Date.now();
      const result = await step(
        { query: 'SELECT status FROM orders WHERE id = $1', params: [id] },
        {
          poll: {
            until: { rows: [{ status: 'confirmed' }] },
            intervalMs: 100,
            timeoutMs: 10_000,
            location: TEST_LOCATION,
          },
          expect: { rowCount: 1, rows: [{ status: 'confirmed' }] },
        },
      );
      assert.equal(result.status, 'passed', String(result.error?.message));
      assert.ok(result.attempts > 2, `attempts: ${result.attempts}`);
      assert.ok(Date.now() - started >= 600);
      assert.equal(result.poll?.timedOut, false);
    } finally {
      clearTimeout(timer);
    }
  });

  test('poll gives up at its deadline with the attempt history', async () => {
    const result = await step(
      { query: "SELECT status FROM orders WHERE status = 'never'" },
      { poll: { until: { rowCount: 1 }, intervalMs: 100, timeoutMs: 600, location: TEST_LOCATION } },
    );
    assert.equal(result.status, 'failed');
    assert.equal(result.poll?.timedOut, true);
    assert.ok(result.attempts >= 3, `attempts: ${result.attempts}`);
    assert.match(result.error!.message, /poll timed out/);
  });

  test('a runtime error becomes the step error, located', async () => {
    const result = await step({ db: 'nope', query: 'SELECT 1' });
    assert.equal(result.status, 'failed');
    assert.match(result.error!.message, /unknown database "nope"/);
    assert.deepEqual(result.error!.location, TEST_LOCATION);
  });
});
