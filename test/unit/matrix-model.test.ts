import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMatrix } from '../../src/matrix/load.js';
import { buildMatrix } from '../../src/matrix/model.js';
import { matrixForJson } from '../../src/matrix/report-data.js';
import { MATRIX_YAML, run, sampleRun, scenario } from '../helpers/results.js';

const matrix = parseMatrix(MATRIX_YAML, 'integration-matrix.yaml');

test('buildMatrix: every point × every environment, with the scenarios behind each cell', () => {
  const model = buildMatrix(matrix, sampleRun());
  assert.deepEqual(model.environments, ['local', 'staging']);
  assert.equal(model.rows.length, 12);
  const status = (point: string, env: string) => model.rows.find((r) => r.point === point)!.cells[env].status;

  // checkout passes on local and fails on staging
  assert.equal(status('cart → orders', 'local'), 'passed');
  assert.equal(status('cart → orders', 'staging'), 'failed');
  // "orders -> payments" is covered by checkout and the three gateway instances; on staging
  // one gateway fails too, on local all pass
  const op = model.rows.find((r) => r.point === 'orders → payments')!;
  assert.equal(op.cells.local.status, 'passed');
  assert.equal(op.cells.local.scenarios.length, 4);
  assert.equal(op.cells.staging.status, 'failed');
  assert.equal(op.status, 'failed');
  // parametrised covers: one instance per gateway
  assert.equal(status('stripe', 'staging'), 'passed');
  assert.equal(status('yookassa', 'staging'), 'failed');
  assert.deepEqual(model.rows.find((r) => r.point === 'yookassa')!.cells.staging.scenarios, [
    'scenarios/payments/gateways.yaml#Gateway charge[gateway=yookassa]@staging',
  ]);
  // flaky on local, passed on staging: the row is flaky
  assert.equal(status('auth → products', 'local'), 'flaky');
  assert.equal(model.rows.find((r) => r.point === 'auth → products')!.status, 'flaky');
  assert.equal(status('sendgrid', 'local'), 'skipped');
  assert.equal(status('smtp', 'local'), 'not-covered');
  assert.equal(status('products → orders', 'staging'), 'not-covered');
});

test('buildMatrix: a cell with a passed and a failed scenario is failed, whatever the order', () => {
  for (const order of [
    ['passed', 'failed'],
    ['failed', 'passed'],
    ['failed', 'flaky', 'passed', 'skipped'],
  ] as const) {
    const scenarios = order.map((status, i) =>
      scenario({ name: `s${i}`, file: 'a.yaml', status, covers: ['stripe'], environment: 'ci' }),
    );
    const model = buildMatrix(matrix, run(scenarios));
    assert.equal(model.rows.find((r) => r.point === 'stripe')!.cells.ci.status, 'failed', order.join(','));
  }
  const flaky = buildMatrix(
    matrix,
    run([
      scenario({ name: 'a', file: 'a.yaml', status: 'passed', covers: ['smtp'] }),
      scenario({ name: 'b', file: 'a.yaml', status: 'flaky', covers: ['smtp'] }),
      scenario({ name: 'c', file: 'a.yaml', status: 'skipped', covers: ['smtp'] }),
    ]),
  );
  assert.equal(flaky.rows.find((r) => r.point === 'smtp')!.cells.local.status, 'flaky');
});

test('buildMatrix: group and subgroup covers mark every point in them', () => {
  const model = buildMatrix(
    matrix,
    run([
      scenario({ name: 'all gateways', file: 'a.yaml', covers: ['payment_gateways'] }),
      scenario({ name: 'all flows', file: 'b.yaml', covers: ['data_flows', 'stripe'] }),
    ]),
  );
  const covered = model.rows.filter((r) => r.status === 'passed').map((r) => r.point);
  assert.deepEqual(covered, [
    'stripe',
    'cloudpayments',
    'yookassa',
    'user_registration_flow',
    'product_purchase_flow',
  ]);
  // "stripe" named twice (directly and through nothing else) still lists each scenario once
  assert.deepEqual(model.rows.find((r) => r.point === 'stripe')!.cells.local.scenarios.length, 2);
});

test('buildMatrix: coverage per group and in total', () => {
  const model = buildMatrix(matrix, sampleRun());
  const g = Object.fromEntries(model.groups.map((x) => [x.name, x]));
  // internal_modules: auth→products, orders→payments, payments→notifications, cart→orders ran; products→orders not
  assert.deepEqual(
    {
      points: g.internal_modules.points,
      covered: g.internal_modules.covered,
      failed: g.internal_modules.failed,
    },
    { points: 5, covered: 4, failed: 3 },
  );
  assert.equal(g.internal_modules.coverage, 80);
  // external_services: 3 gateways covered, sendgrid skipped only, smtp not covered
  assert.equal(g.external_services.covered, 3);
  assert.equal(g.external_services.skipped, 1);
  assert.equal(g.external_services.notCovered, 1);
  assert.equal(g.external_services.coverage, 60);
  assert.equal(g.data_flows.coverage, 100);
  assert.deepEqual(
    { ...model.totals },
    { points: 12, covered: 9, passing: 4, failed: 5, skipped: 1, notCovered: 2, coverage: 75 },
  );
});

test('buildMatrix: unknown covers are listed, not thrown; environments missing from the list are added', () => {
  const result = run([scenario({ name: 'x', file: 'x.yaml', covers: ['kafka'], environment: 'qa' })]);
  result.environments = [];
  const model = buildMatrix(matrix, result);
  assert.deepEqual(model.unknownCovers, [{ scenario: 'x.yaml#x@qa', entry: 'kafka' }]);
  assert.deepEqual(model.environments, ['qa']);
  assert.equal(model.totals.coverage, 0);
});

test('buildMatrix is pure and JSON-serialisable; matrixForJson falls back to a carried model', () => {
  const result = sampleRun();
  const before = JSON.stringify(result);
  const a = buildMatrix(matrix, result);
  const b = buildMatrix(matrix, result);
  assert.deepEqual(a, b);
  assert.equal(JSON.stringify(result), before, 'the result is not modified');
  assert.deepEqual(JSON.parse(JSON.stringify(a)), a);
  assert.deepEqual(matrixForJson(matrix, result), a);
  assert.equal(matrixForJson(undefined, result), undefined);
  assert.deepEqual(matrixForJson(undefined, { ...result, matrix: a }), a);
});
