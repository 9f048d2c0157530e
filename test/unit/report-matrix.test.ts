import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseMatrix } from '../../src/matrix/load.js';
import { matrixCommand } from '../../src/matrix/coverage.js';
import { buildMatrix } from '../../src/matrix/model.js';
import { createReporter } from '../../src/report/matrix/index.js';
import { renderMatrixTable } from '../../src/report/matrix/render.js';
import { MATRIX_YAML, run, sampleRun, scenario } from '../helpers/results.js';
import { memoryScreen } from '../helpers/screen.js';

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const model = () => buildMatrix(parseMatrix(MATRIX_YAML, 'integration-matrix.yaml'), sampleRun());

test('matrix table: sections per group, a row per point, words beside symbols, legend', () => {
  const text = renderMatrixTable(model(), { color: false });
  assert.doesNotMatch(text, ANSI, 'no colour when the screen has none');
  const lines = text.split('\n');
  assert.equal(lines[0], 'Integration matrix  9/12 points covered (75%)  integration-matrix.yaml');
  assert.ok(lines.includes('internal_modules  4/5 covered (80%), 3 failing'));
  assert.ok(lines.includes('  payment_gateways'));
  const row = (point: string) => lines.find((l) => l.trimStart().startsWith(point))!.trimEnd();
  assert.equal(row('orders → payments'), '  orders → payments         ✓ pass 4  ✗ FAIL 4');
  assert.equal(row('yookassa'), '    yookassa                ✓ pass    ✗ FAIL');
  assert.equal(row('smtp'), '    smtp                    · none    · none');
  assert.equal(row('auth → products'), '  auth → products           ~ flaky   ✓ pass');
  assert.match(text, /✓ passed {2}✗ failed {2}~ flaky {2}- skipped {2}· not covered/);
  assert.match(text, /Not covered: products → orders, smtp/);
  for (const l of lines) assert.ok([...l].length <= 100, `too wide: ${l}`);
});

test('matrix table: colour only when asked; 100 columns even with long names and many environments', () => {
  const coloured = renderMatrixTable(model(), { color: true });
  assert.match(coloured, ANSI);
  assert.equal(coloured.replace(ANSI, ''), renderMatrixTable(model(), { color: false }));

  const envs = Array.from({ length: 12 }, (_, i) => `environment-${i}`);
  const long = `${'very-long-service-name-'.repeat(6)}→ sink`;
  const yaml = `integration_points:\n  g:\n    - "${long}"\n    - short\n`;
  const result = run(
    envs.map((env) => scenario({ name: 's', file: 'a.yaml', environment: env, covers: ['short'] })),
  );
  const text = renderMatrixTable(buildMatrix(parseMatrix(yaml, 'm.yaml'), result), {
    color: true,
    columns: 200,
  });
  const plain = text.replace(ANSI, '').split('\n');
  for (const l of plain) assert.ok([...l].length <= 100, `too wide (${[...l].length}): ${l}`);
  for (const env of envs)
    assert.ok(
      plain.some((l) => l.includes(env.slice(0, 12))),
      env,
    );
  assert.ok(
    plain.some((l) => l.includes('…')),
    'long point names are cut with an ellipsis',
  );
});

test('matrix reporter: loads the matrix file at creation and prints at the end', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'flowrun-matrix-'));
  await writeFile(path.join(dir, 'integration-matrix.yaml'), MATRIX_YAML);
  const screen = memoryScreen();
  const reporter = await createReporter({
    outDir: 'r',
    cwd: dir,
    screen,
    matrixFile: 'integration-matrix.yaml',
  });
  await reporter.onEnd!(sampleRun());
  assert.match(
    screen.text(),
    /^Integration matrix {2}9\/12 points covered \(75%\) {2}integration-matrix\.yaml/,
  );

  await writeFile(path.join(dir, 'bad.yaml'), 'integration_points:\n  g: 3\n');
  await assert.rejects(
    Promise.resolve(createReporter({ outDir: 'r', cwd: dir, screen, matrixFile: 'bad.yaml' })),
    (e: { message: string; location?: { file: string; line: number } }) =>
      /must be a list of points/.test(e.message) && e.location?.file === 'bad.yaml' && e.location.line === 2,
  );

  const none = memoryScreen();
  await (
    await createReporter({ outDir: 'r', cwd: dir, screen: none })
  ).onEnd!(sampleRun());
  assert.match(none.text(), /no integration matrix file/);
});

test('flowrun matrix: lists uncovered points, exit codes for CI', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'flowrun-matrix-'));
  const file = path.join(dir, 'integration-matrix.yaml');
  await writeFile(file, MATRIX_YAML);
  const covers = [
    {
      scenario: 'Checkout',
      file: 'scenarios/checkout.yaml',
      covers: ['cart -> orders', 'orders → payments'],
    },
    { scenario: 'Gateways', file: 'scenarios/gw.yaml', covers: ['payment_gateways', 'data_flows'] },
  ];
  const screen = memoryScreen();
  assert.equal(await matrixCommand({ matrixFile: file, scenarioCovers: covers, screen }), 0);
  const text = screen.text();
  assert.match(text, /7\/12 points covered \(58\.3%\)/);
  assert.match(text, /internal_modules: 2\/5/);
  assert.match(text, /not covered: auth → products {2}.*integration-matrix\.yaml:3/);
  assert.match(text, /not covered: sendgrid \(email_services\)/);
  assert.doesNotMatch(text, /not covered: stripe/);
  assert.equal(
    await matrixCommand({ matrixFile: file, scenarioCovers: covers, screen, failOnUncovered: true }),
    1,
  );

  const typo = memoryScreen();
  const bad = [{ scenario: 'X', file: 'x.yaml', covers: ['orders -> paymnts'] }];
  assert.equal(await matrixCommand({ matrixFile: file, scenarioCovers: bad, screen: typo }), 2);
  assert.match(typo.text(), /x\.yaml: "orders -> paymnts" in X \(did you mean "orders → payments"\?\)/);
});
