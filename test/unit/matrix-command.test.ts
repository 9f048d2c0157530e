import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { matrixCommand } from '../../src/matrix/coverage.js';
import { memoryScreen } from '../helpers/screen.js';

const ESC = String.fromCharCode(27);

async function matrixFile(yaml: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'flowrun-matrix-cmd-'));
  const file = path.join(dir, 'integration-matrix.yaml');
  await writeFile(file, yaml);
  return file;
}

const SMALL = `integration_points:
  internal_modules:
    - "orders → payments"
    - "cart → orders"
`;

test('flowrun matrix: every point covered prints the closing line and exits 0', async () => {
  const file = await matrixFile(SMALL);
  const screen = memoryScreen();
  const covers = [
    { scenario: 'Checkout', file: 'a.yaml', covers: ['orders -> payments', 'cart → orders'] },
    // the same scenario naming a point twice still counts once (no effect on the totals)
    { scenario: 'Checkout', file: 'a.yaml', covers: ['cart → orders'] },
  ];
  assert.equal(await matrixCommand({ matrixFile: file, scenarioCovers: covers, screen }), 0);
  assert.deepEqual(screen.lines, [
    `Integration matrix ${path.relative(process.cwd(), file)}: 2/2 points covered (100%)`,
    '  internal_modules: 2/2',
    'Every integration point has a scenario.',
  ]);
  // full coverage with failOnUncovered is still 0
  assert.equal(
    await matrixCommand({
      matrixFile: file,
      scenarioCovers: covers,
      screen: memoryScreen(),
      failOnUncovered: true,
    }),
    0,
  );
});

test('flowrun matrix: one unknown entry is singular, two are plural, and no closing line', async () => {
  const file = await matrixFile(SMALL);
  const one = memoryScreen();
  const covered = { scenario: 'Checkout', file: 'a.yaml', covers: ['orders → payments', 'cart → orders'] };
  const bad = { scenario: 'X', file: 'x.yaml', covers: ['nowhere at all'] };
  assert.equal(await matrixCommand({ matrixFile: file, scenarioCovers: [covered, bad], screen: one }), 2);
  assert.ok(one.lines.includes('1 covers entry names no point:'), one.text());
  assert.ok(one.lines.includes('  x.yaml: "nowhere at all" in X'), one.text());
  assert.ok(!one.text().includes('Every integration point has a scenario.'));

  const two = memoryScreen();
  const worse = { scenario: 'Y', file: 'y.yaml', covers: ['nowhere', 'elsewhere'] };
  assert.equal(await matrixCommand({ matrixFile: file, scenarioCovers: [covered, worse], screen: two }), 2);
  assert.ok(two.lines.includes('2 covers entries name no point:'), two.text());
});

test('flowrun matrix: a hole prints no closing line; uncovered exits 1 only when asked', async () => {
  const file = await matrixFile(SMALL);
  const screen = memoryScreen();
  const covers = [{ scenario: 'Checkout', file: 'a.yaml', covers: ['cart → orders'] }];
  assert.equal(await matrixCommand({ matrixFile: file, scenarioCovers: covers, screen }), 0);
  assert.equal(
    screen.lines[0],
    `Integration matrix ${path.relative(process.cwd(), file)}: 1/2 points covered (50%)`,
  );
  assert.equal(screen.lines[1], '  internal_modules: 1/2');
  assert.match(screen.lines[2], /^ {4}not covered: orders → payments {2}.*integration-matrix\.yaml:3$/);
  assert.equal(screen.lines.length, 3);
});

test('flowrun matrix: colour only when the screen has it', async () => {
  const file = await matrixFile(SMALL);
  const plain = memoryScreen();
  await matrixCommand({ matrixFile: file, scenarioCovers: [], screen: plain });
  assert.ok(!plain.text().includes(ESC));

  const coloured = memoryScreen({ color: true });
  await matrixCommand({ matrixFile: file, scenarioCovers: [], screen: coloured });
  assert.ok(coloured.lines[0].includes(`${ESC}[1m`), 'the header is bold on a colour screen');
  assert.ok(coloured.lines[1].includes(`${ESC}[33m`), 'a group with holes is yellow');
});

test('flowrun matrix: a matrix file given by a relative path is shown as given', async () => {
  const file = await matrixFile(SMALL);
  const rel = path.relative(process.cwd(), file);
  const screen = memoryScreen();
  await matrixCommand({ matrixFile: rel, scenarioCovers: [], screen });
  assert.equal(screen.lines[0], `Integration matrix ${rel}: 0/2 points covered (0%)`);
});
