/**
 * The demo suite (scenarios/, integration-matrix.yaml) against real servers, as CI runs it:
 * environments/ci.yaml takes PostgreSQL and Redis from FLOWRUN_TEST_DATABASE_URL /
 * FLOWRUN_TEST_REDIS_URL and starts the example shop and the embedded mocks itself. A second run
 * starts the shop with SHOP_BUG=double-charge (environments/ci-buggy.yaml) and must fail on the
 * payment verification.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, runCli } from '../helpers/cli.js';
import { skipWithout } from '../helpers/tools.js';
import {
  createTestDatabase,
  createTestRedis,
  type TestDatabase,
  type TestRedis,
} from '../helpers/servers.js';

/** A port that was free a moment ago, for the shop (a command service's url is its ready check's origin). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Report {
  totals: { scenarios: number; passed: number; failed: number; skipped: number; flaky: number };
  scenarios: {
    name: string;
    status: string;
    steps: { name: string; status: string; attempts: number; error?: string }[];
  }[];
  matrix: {
    totals: { points: number; covered: number; notCovered: number };
    rows: { point: string; status: string }[];
  };
}

const SCENARIOS = 14;
const skip = skipWithout('redis-server');

describe('the demo suite against real PostgreSQL and Redis (environments/ci.yaml)', { skip }, () => {
  const databases: TestDatabase[] = [];
  const redises: TestRedis[] = [];
  let outDir: string;

  before(async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), 'flowrun-demo-'));
  });
  after(async () => {
    await Promise.all(databases.map((db) => db.drop()));
    await Promise.all(redises.map((r) => r.close()));
    await rm(outDir, { recursive: true, force: true });
  });

  /** Runs the whole suite with its own database, Redis db index and shop port. */
  async function runSuite(env: 'ci' | 'ci-buggy', extra: Record<string, string> = {}) {
    const db = await createTestDatabase(`demo_${env.replace('-', '_')}`);
    databases.push(db);
    const redis = await createTestRedis(`demo-${env}`);
    redises.push(redis);
    const out = path.join(outDir, env);
    const started = Date.now();
    const result = await runCli(['scenarios/', '--env', env, '-r', 'console,json,junit,matrix', '-o', out], {
      cwd: repoRoot,
      env: {
        FLOWRUN_TEST_DATABASE_URL: db.url,
        FLOWRUN_TEST_REDIS_URL: redis.url,
        FLOWRUN_SHOP_PORT: String(await freePort()),
        ...extra,
      },
      timeoutMs: 120_000,
    });
    const report = JSON.parse(await readFile(path.join(out, 'flowrun.json'), 'utf8')) as Report;
    return { ...result, report, out, ms: Date.now() - started };
  }

  it('passes every scenario, writes the reports and shows the uncovered points', async () => {
    const r = await runSuite('ci');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(r.report.totals, {
      scenarios: SCENARIOS,
      passed: SCENARIOS,
      failed: 0,
      skipped: 0,
      flaky: 0,
    });
    assert.match(r.stdout, new RegExp(`${SCENARIOS} passed, 0 failed \\(${SCENARIOS} total\\)`));
    for (const gateway of ['stripe', 'cloudpayments', 'yookassa']) {
      assert.ok(
        r.report.scenarios.some((s) => s.name.includes(`gateway=${gateway}`) && s.status === 'passed'),
        `the ${gateway} instance passed`,
      );
    }
    // The matrix: what the demo exercises passes, what it does not (SMS, email providers, shipping
    // providers, inventory sync, analytics) is honestly not covered.
    const status = Object.fromEntries(r.report.matrix.rows.map((row) => [row.point, row.status]));
    for (const point of [
      'orders → payments',
      'payments → notifications',
      'cart → orders',
      'yookassa',
      'auth → mfa',
      'mfa_login_flow',
      'auth → rate_limiter',
      'orders → partners',
      'acme',
    ])
      assert.equal(status[point], 'passed', point);
    for (const point of ['twilio', 'sms_ru', 'sendgrid', 'cdek', 'analytics_data_flow'])
      assert.equal(status[point], 'not-covered', point);
    assert.deepEqual(
      [r.report.matrix.totals.points, r.report.matrix.totals.covered, r.report.matrix.totals.notCovered],
      [28, 18, 10],
    );
    assert.match(r.stdout, /Integration matrix\s+18\/28 points covered/);
    assert.match(await readFile(path.join(r.out, 'junit.xml'), 'utf8'), /<testsuites[^>]* tests="14"/);
    // The 429 came on the 6th login (LOGIN_MAX_FAILURES=5 in the environment).
    const limited = r.report.scenarios.find((s) => s.name.startsWith('Login - repeated wrong passwords'))!;
    assert.equal(
      limited.steps.find((s) => s.name === 'wrong passwords until the account is locked')?.attempts,
      6,
    );
    // The webhook key is a secret: it never reaches a report.
    assert.doesNotMatch(await readFile(path.join(r.out, 'flowrun.json'), 'utf8'), /demo-partner-key-7f3a/);
  });

  it('fails when the shop charges twice or sends a webhook twice (SHOP_BUG)', async () => {
    const r = await runSuite('ci-buggy', { SHOP_BUG: 'double-charge,duplicate-webhook' });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /expected POST \/api\/v1\/payments .*\(mock "charge" on payments\) to be called exactly 1 time, but it was called 2 times/,
    );
    const failed = r.report.scenarios.filter((s) => s.status === 'failed').map((s) => s.name);
    assert.ok(
      failed.some((name) => name.startsWith('Checkout - card order is charged once')),
      `checkout failed: ${failed.join('; ')}`,
    );
    for (const gateway of ['stripe', 'cloudpayments', 'yookassa'])
      assert.ok(
        failed.some((name) => name.includes(`gateway=${gateway}`)),
        `the ${gateway} instance failed`,
      );
    // The duplicate webhook comes 0.5 s after the first: exactly 1 within 2s watches the window.
    assert.match(
      r.stdout,
      /expected POST \/webhooks\/orders .*\(mock "partnerWebhook" on partner\) to be called exactly 1 time, but it was called 2 times \(waited up to 2s/,
    );
    assert.ok(failed.some((name) => name.startsWith('Partner - an order from a referral')));
    const checkout = r.report.scenarios.find((s) => s.name.startsWith('Checkout'))!;
    const firstFailure = checkout.steps.find((s) => s.status === 'failed');
    assert.equal(firstFailure?.name, 'gateway charged exactly once, for 200 RUB');
    // The gateway outage scenario charges once (the first charge already fails), so it still passes.
    assert.ok(
      r.report.scenarios.some(
        (s) => s.name.startsWith('Fulfilment - a gateway outage') && s.status === 'passed',
      ),
      JSON.stringify(r.report.scenarios.find((s) => s.name.startsWith('Fulfilment - a gateway outage'))),
    );
  });
});
