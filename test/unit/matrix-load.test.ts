import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LoadError, LoadErrors } from '../../src/errors.js';
import {
  coverNames,
  loadMatrix,
  normalizePoint,
  parseMatrix,
  resolveCover,
  suggestPoint,
} from '../../src/matrix/load.js';
import { MATRIX_YAML } from '../helpers/results.js';

test('normalizePoint: both arrows, any spacing, one form', () => {
  for (const [input, want] of [
    ['orders->payments', 'orders → payments'],
    ['orders  ->   payments', 'orders → payments'],
    ['orders→payments', 'orders → payments'],
    [' orders → payments ', 'orders → payments'],
    ['a -> b -> c', 'a → b → c'],
    ['user_registration_flow', 'user_registration_flow'],
    ['email   service', 'email service'],
  ]) {
    assert.equal(normalizePoint(input), want, input);
  }
});

test('suggestPoint: closest point for a typo, nothing for an unrelated name', () => {
  const points = ['auth → products', 'orders → payments', 'stripe', 'cloudpayments'];
  assert.equal(suggestPoint('orders -> paymnts', points), 'orders → payments');
  assert.equal(suggestPoint('strpe', points), 'stripe');
  assert.equal(suggestPoint('Stripe', points), 'stripe');
  assert.equal(suggestPoint('kafka → warehouse', points), undefined);
  assert.equal(suggestPoint('x', []), undefined);
});

test('parseMatrix: groups of lists and of subgroups, file order, locations', () => {
  const m = parseMatrix(MATRIX_YAML, 'integration-matrix.yaml');
  assert.deepEqual(
    m.groups.map((g) => [g.name, g.subgroups]),
    [
      ['internal_modules', []],
      ['external_services', ['payment_gateways', 'email_services']],
      ['data_flows', []],
    ],
  );
  assert.equal(m.points.length, 12);
  const orders = m.points.find((p) => p.name === 'products → orders');
  assert.ok(orders, 'the "->" point is normalised');
  assert.deepEqual(orders.location, { file: 'integration-matrix.yaml', line: 4, col: 7 });
  const stripe = m.points.find((p) => p.name === 'stripe')!;
  assert.equal(stripe.group, 'external_services');
  assert.equal(stripe.subgroup, 'payment_gateways');
  assert.deepEqual(stripe.location, { file: 'integration-matrix.yaml', line: 9, col: 24 });
});

test('resolveCover: points, subgroups, groups and dotted names', () => {
  const m = parseMatrix(MATRIX_YAML, 'm.yaml');
  assert.deepEqual(resolveCover('orders->payments', m), ['orders → payments']);
  assert.deepEqual(resolveCover('stripe', m), ['stripe']);
  assert.deepEqual(resolveCover('payment_gateways', m), ['stripe', 'cloudpayments', 'yookassa']);
  assert.deepEqual(resolveCover('external_services.email_services', m), ['sendgrid', 'smtp']);
  assert.equal(resolveCover('data_flows', m)?.length, 2);
  assert.equal(resolveCover('kafka', m), undefined);
  assert.ok(coverNames(m).includes('external_services.payment_gateways'));
});

function errorsOf(fn: () => unknown): { message: string; where: string }[] {
  try {
    fn();
  } catch (error) {
    const list = error instanceof LoadErrors ? error.errors : [error as LoadError];
    assert.ok(list.every((e) => e instanceof LoadError));
    return list.map((e) => ({
      message: e.message,
      where: e.location ? `${e.location.file}:${e.location.line}:${e.location.col}` : '',
    }));
  }
  assert.fail('expected a LoadError');
}

test('parseMatrix: located errors that say what is wrong', () => {
  const cases: [string, { message: RegExp; where: string }[]][] = [
    [
      'integration_points:\n  a:\n    - "x -> y"\n    - "x→y"\n',
      [{ message: /"x → y" is listed twice/, where: 'm.yaml:4:7' }],
    ],
    [
      'integration_points:\n  a: 3\n',
      [{ message: /a must be a list of points, or a map of subgroups/, where: 'm.yaml:2:6' }],
    ],
    [
      'integration_points:\n  a:\n    sub: 3\n',
      [{ message: /integration_points\.a\.sub must be a list of points/, where: 'm.yaml:3:10' }],
    ],
    [
      'points: 1\n',
      [
        { message: /needs "integration_points:"/, where: 'm.yaml:1:1' },
        { message: /unknown key "points"/, where: 'm.yaml:1:1' },
      ],
    ],
    [
      'integration_points:\n  a: [x, 3, ""]\n',
      [
        { message: /integration_points\.a\[1\] must be a point name/, where: 'm.yaml:2:10' },
        { message: /integration_points\.a\[2\] is an empty point name/, where: 'm.yaml:2:13' },
      ],
    ],
    ['integration_points:\n  a: {}\n', [{ message: /integration_points\.a is empty/, where: 'm.yaml:2:6' }]],
    ['integration_points:\n  a: [x\n', [{ message: /YAML syntax error/, where: 'm.yaml:3:1' }]],
    [
      'integration_points:\n  a: [x]\n  a: [y]\n',
      [{ message: /YAML syntax error: Map keys must be unique/, where: 'm.yaml:3:3' }],
    ],
  ];
  for (const [yaml, want] of cases) {
    const got = errorsOf(() => parseMatrix(yaml, 'm.yaml'));
    assert.equal(got.length, want.length, `${yaml}: ${JSON.stringify(got)}`);
    want.forEach((w, i) => {
      assert.match(got[i].message, w.message, yaml);
      assert.equal(got[i].where, w.where, `${yaml}: ${got[i].message}`);
    });
  }
});

test('loadMatrix: reads a file; a missing file is a LoadError', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'flowrun-matrix-'));
  const file = path.join(dir, 'integration-matrix.yaml');
  await writeFile(file, MATRIX_YAML);
  const m = await loadMatrix(file, 'integration-matrix.yaml');
  assert.equal(m.file, 'integration-matrix.yaml');
  await assert.rejects(loadMatrix(path.join(dir, 'nope.yaml'), 'nope.yaml'), (e: unknown) => {
    assert.ok(e instanceof LoadError);
    assert.equal(e.message, 'integration matrix nope.yaml not found');
    return true;
  });
});
