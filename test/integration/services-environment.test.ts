/**
 * Services, databases, Redis and the readiness gate as an environment file declares them:
 * loaded and activated by the environment loader, used by sql/redis steps, stopped at the end.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironment } from '../../src/config/environment.js';
import { activateEnvironment } from '../../src/engine/environment.js';
import { Resources } from '../../src/util/resources.js';
import { FlowrunError } from '../../src/errors.js';
import { freePort } from '../../src/services/ports.js';
import { loadScenarios } from '../../src/scenario/load.js';
import { runTestStep } from '../helpers/servers.js';
import { skipWithout } from '../helpers/tools.js';

const skip = skipWithout('redis-server');

let cwd: string;
before(() => {
  cwd = mkdtempSync(join(tmpdir(), 'flowrun-env-services-'));
  mkdirSync(join(cwd, 'environments'));
  mkdirSync(join(cwd, 'scenarios'));
});
after(() => rmSync(cwd, { recursive: true, force: true }));

const activate = async (name: string, resources: Resources) =>
  activateEnvironment(await loadEnvironment(name, cwd), {
    runId: 'test',
    cwd,
    outDir: join(cwd, 'reports'),
    resources,
    overrides: {},
  });

describe('environment services', () => {
  test('embedded PostgreSQL and local Redis feed databases:, redis: and waitFor:', { skip }, async () => {
    writeFileSync(
      join(cwd, 'environments', 'svc.yaml'),
      [
        'name: svc',
        'services:',
        '  db: { postgres: embedded, options: { database: shop } }',
        '  cache: { redis: local }',
        'databases:',
        '  main: { url: "{{services.db.url}}" }',
        'redis:',
        '  cache: { url: "{{services.cache.url}}" }',
        'waitFor:',
        '  - sql: "{{services.db.url}}"',
        '    timeout: 10s',
        '  - redis: "{{services.cache.url}}"',
        '',
      ].join('\n'),
    );
    const resources = new Resources();
    try {
      const env = await activate('svc', resources);
      assert.match(env.databases.main.url, /^postgres:\/\/postgres:\w+@127\.0\.0\.1:\d+\/shop$/);
      const created = await runTestStep(
        {
          kind: 'sql',
          config: {
            db: 'main',
            query: 'CREATE TABLE t (id bigserial, n numeric); INSERT INTO t (n) VALUES (1.50)',
          },
        },
        env,
        resources,
      );
      assert.equal(created.status, 'passed', String(created.error?.message));
      const read = await runTestStep(
        {
          kind: 'sql',
          config: { db: 'main', query: 'SELECT id, n FROM t' },
          expect: { rows: [{ id: 1, n: 1.5 }] },
        },
        env,
        resources,
      );
      assert.equal(read.status, 'passed', String(read.error?.message));
      const cached = await runTestStep(
        { kind: 'redis', config: { db: 'cache', command: ['SET', 'k', 'v'] }, expect: { result: 'OK' } },
        env,
        resources,
      );
      assert.equal(cached.status, 'passed', String(cached.error?.message));
    } finally {
      assert.deepEqual(await resources.close(), []);
    }
  });

  test('a failing readiness gate lists what was not ready', async () => {
    const port = await freePort();
    writeFileSync(
      join(cwd, 'environments', 'down.yaml'),
      ['name: down', 'waitFor:', `  - tcp: 127.0.0.1:${port}`, '    timeout: 500ms', ''].join('\n'),
    );
    const resources = new Resources();
    try {
      await assert.rejects(activate('down', resources), (error: FlowrunError) => {
        assert.equal(error.code, 'E_NOT_READY');
        assert.match(error.message, new RegExp(`tcp 127\\.0\\.0\\.1:${port}.*connection refused`));
        return true;
      });
    } finally {
      await resources.close();
    }
  });
});

describe('scenario loading', () => {
  test('a template in a sql query is a located load error pointing to params', async () => {
    const file = join(cwd, 'scenarios', 'spliced.yaml');
    writeFileSync(
      file,
      [
        'name: spliced',
        'vars: { email: a@example.com }',
        'steps:',
        '  - sql:',
        '      db: main',
        "      query: SELECT * FROM users WHERE email = '{{email}}'",
        '',
      ].join('\n'),
    );
    const result = await loadScenarios([file], { cwd });
    assert.equal(result.errors.length, 1);
    const [error] = result.errors;
    assert.match(
      error.message,
      /^templates \(\{\{\.\.\.\}\}\) are not allowed in `query`.*placeholder \(\$1, \$2, \.\.\.\) and put the value in `params`/,
    );
    assert.equal(error.location?.line, 6);
    assert.equal(error.location?.file, 'scenarios/spliced.yaml');
  });
});
