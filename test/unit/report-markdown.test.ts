import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createReporter } from '../../src/report/markdown/index.js';
import { cell } from '../../src/report/markdown/render.js';
import { MATRIX_YAML, run, sampleRun } from '../helpers/results.js';
import { memoryScreen } from '../helpers/screen.js';

async function setup() {
  const dir = await mkdtemp(path.join(tmpdir(), 'flowrun-md-'));
  await writeFile(path.join(dir, 'integration-matrix.yaml'), MATRIX_YAML);
  return dir;
}

test('markdown: flowrun.md with totals, success rate, failures with file:line, and the matrix', async () => {
  const dir = await setup();
  const previous = process.env.GITHUB_STEP_SUMMARY;
  delete process.env.GITHUB_STEP_SUMMARY;
  try {
    const reporter = await createReporter({
      outDir: 'out',
      cwd: dir,
      screen: memoryScreen(),
      matrixFile: 'integration-matrix.yaml',
    });
    await reporter.onEnd!(sampleRun());
  } finally {
    if (previous !== undefined) process.env.GITHUB_STEP_SUMMARY = previous;
  }
  const md = await readFile(path.join(dir, 'out', 'flowrun.md'), 'utf8');
  assert.match(md, /^## ❌ flowrun: 2 failed, 8 passed — 80\.0% success$/m);
  assert.match(md, /^\| 12 \| 7 \| 2 \| 1 \| 2 \| 80\.0% \| 12\.35s \| local, staging \|$/m);
  assert.match(md, /### Failed scenarios \(2\)/);
  assert.match(
    md,
    /- \*\*Checkout charges the card and confirms the order \\\[staging\\\]\*\* — `scenarios\/checkout\.yaml:79`\n {2}step “order gets confirmed”: body \$\.status: expected "confirmed", got "failed"\n {2}expected `"confirmed"`, actual `"failed"`/,
  );
  assert.match(
    md,
    /Gateway charge \(gateway=yookassa\) \\\[staging\\\]\*\* — `scenarios\/payments\/gateways\.yaml:22`/,
  );
  assert.match(md, /Register & log in &lt;new&gt; user/, 'HTML in names is escaped');
  assert.match(md, /### Integration matrix — 9\/12 points covered \(75%\)/);
  assert.match(md, /^\| &nbsp;&nbsp;orders → payments \| ✅ 4 \| ❌ 4 \|$/m);
  assert.match(md, /^\| &nbsp;&nbsp;&nbsp;&nbsp;smtp \| ⬜ \| ⬜ \|$/m);
  assert.match(md, /^\| \*\*external\\_services\*\* — 3\/5 \(60%\) \| \| \|$/m);
});

test('markdown: appended to $GITHUB_STEP_SUMMARY, never replacing what is there', async () => {
  const dir = await setup();
  const summary = path.join(dir, 'step-summary.md');
  await writeFile(summary, '# Earlier step\n');
  const previous = process.env.GITHUB_STEP_SUMMARY;
  process.env.GITHUB_STEP_SUMMARY = summary;
  try {
    const reporter = await createReporter({ outDir: 'out', cwd: dir, screen: memoryScreen() });
    await reporter.onEnd!(run([]));
  } finally {
    if (previous === undefined) delete process.env.GITHUB_STEP_SUMMARY;
    else process.env.GITHUB_STEP_SUMMARY = previous;
  }
  const text = await readFile(summary, 'utf8');
  assert.match(text, /^# Earlier step\n## ✅ flowrun: 0 passed — 100\.0% success/);
  assert.doesNotMatch(text, /Integration matrix/, 'no matrix file, no matrix section');
});

test('markdown: table cells cannot break the table', () => {
  assert.equal(cell('a | b\nc'), 'a \\| b c');
  assert.equal(cell('<script>'), '&lt;script&gt;');
  assert.equal(cell('x_y*z'), 'x\\_y\\*z');
});

test('markdown: long failure lists are cut to stay under GitHub’s summary limit', async () => {
  const { largeRun } = await import('../helpers/results.js');
  const { renderMarkdown } = await import('../../src/report/markdown/render.js');
  const big = largeRun(2000);
  const md = renderMarkdown(big, undefined);
  assert.ok(big.totals.failed > 50);
  assert.match(md, new RegExp(`… and ${big.totals.failed - 50} more`));
  assert.ok(Buffer.byteLength(md) < 1024 * 1024);
});
