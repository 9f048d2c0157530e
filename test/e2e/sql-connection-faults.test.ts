import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { project, startCli, waitCli } from '../helpers/cli.js';
import { createTestDatabase, sql, type TestDatabase } from '../helpers/servers.js';

/** Sessions of flowrun on `db` running a statement that contains `marker`. */
const running = (db: TestDatabase, marker: string) =>
  sql<{ pid: number }>(
    db.url,
    `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query LIKE $2 AND pid <> pg_backend_pid()`,
    [db.name, `%${marker}%`],
  );

describe('sql steps when the connection is lost or the step is cut off (real PostgreSQL, real CLI)', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase('sql_faults');
    await sql(db.url, 'CREATE TABLE marks (what text NOT NULL)');
  });
  after(async () => db?.drop());

  const files = (scenarios: Record<string, string>) => ({
    'environments/local.yaml': `name: local\ndatabases:\n  main: { url: "${db.url}" }\n`,
    ...scenarios,
  });

  it('pg_terminate_backend during a query fails that step; teardown, later scenarios and reports still run', async () => {
    const p = await project(
      files({
        'scenarios/a-terminated.yaml': `name: A terminated
steps:
  - name: long query
    sql: { db: main, query: "SELECT pg_sleep(20) AS terminate_me" }
teardown:
  - sql: { db: main, query: "INSERT INTO marks VALUES ('teardown ran')" }
`,
        'scenarios/b-later.yaml': `name: B later
steps:
  - sql: { db: main, query: "SELECT 1 AS one" }
    expect: { rows: [{ one: 1 }] }
`,
      }),
    );
    try {
      const child = startCli(['--env', 'local', '-r', 'console,json', '--concurrency', '1'], { cwd: p.dir });
      let pids: { pid: number }[] = [];
      for (let i = 0; i < 200 && pids.length === 0; i++) {
        pids = await running(db, 'terminate_me');
        if (!pids.length) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(pids.length, 1, `one running query: ${child.out.stdout}${child.out.stderr}`);
      await sql(db.url, 'SELECT pg_terminate_backend($1)', [pids[0].pid]);
      const r = await waitCli(child, 60_000);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.doesNotMatch(r.stderr, /Unhandled|internal error/);
      assert.match(
        r.stdout,
        /the connection to database "main" was lost during the query: terminated by the server \(terminating connection due to administrator command\)/,
      );
      assert.match(r.stdout, /at scenarios\/a-terminated\.yaml:3:5/);
      assert.match(r.stdout, /✓ B later/);
      const marks = await sql<{ what: string }>(db.url, 'SELECT what FROM marks');
      assert.deepEqual(
        marks.map((m) => m.what),
        ['teardown ran'],
      );
      const report = JSON.parse(await readFile(path.join(p.dir, 'reports', 'flowrun.json'), 'utf8'));
      assert.deepEqual(report.totals, { scenarios: 2, passed: 1, failed: 1, skipped: 0, flaky: 0 });
    } finally {
      await sql(db.url, 'DELETE FROM marks');
      await p.cleanup();
    }
  });

  it('a query cut off by the scenario timeout is cancelled on the server: nothing commits later', async () => {
    const p = await project(
      files({
        'scenarios/slow.yaml': `name: Slow
timeout: 3s
steps:
  - name: slow write
    sql: { db: main, query: "SELECT pg_sleep(8) AS cancel_me; INSERT INTO marks VALUES ('late write')" }
`,
      }),
    );
    try {
      const started = Date.now();
      const child = startCli(['--env', 'local', '-r', 'console'], { cwd: p.dir });
      const r = await waitCli(child, 30_000);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(
        r.stdout,
        /query on database "main" interrupted: scenario timed out after 3\.00s {2}at scenarios\/slow\.yaml:4:5/,
      );
      assert.ok(Date.now() - started < 8000 + 3000, 'did not wait for the query');
      // The statement is gone from the server right after flowrun exits...
      assert.deepEqual(await running(db, 'cancel_me'), []);
      // ...and its write never lands.
      await new Promise((r) => setTimeout(r, 8500));
      assert.deepEqual(await sql(db.url, 'SELECT what FROM marks'), []);
    } finally {
      await sql(db.url, 'DELETE FROM marks');
      await p.cleanup();
    }
  });

  it('Ctrl-C during a query cancels it on the server', async () => {
    const p = await project(
      files({
        'scenarios/slow.yaml': `name: Slow
steps:
  - sql: { db: main, query: "SELECT pg_sleep(4) AS interrupt_me; INSERT INTO marks VALUES ('late write')" }
`,
      }),
    );
    try {
      const child = startCli(['--env', 'local', '-r', 'console'], { cwd: p.dir });
      let pids: { pid: number }[] = [];
      for (let i = 0; i < 200 && pids.length === 0; i++) {
        pids = await running(db, 'interrupt_me');
        if (!pids.length) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(pids.length, 1);
      child.kill('SIGINT');
      const r = await waitCli(child, 30_000);
      assert.equal(r.code, 130, r.stdout + r.stderr);
      assert.deepEqual(await running(db, 'interrupt_me'), []);
      await new Promise((r) => setTimeout(r, 4500));
      assert.deepEqual(await sql(db.url, 'SELECT what FROM marks'), []);
    } finally {
      await sql(db.url, 'DELETE FROM marks');
      await p.cleanup();
    }
  });
});
