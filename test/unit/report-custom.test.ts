import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { builtinReporterNames, loadReporters } from '../../src/report/registry.js';
import { sampleRun } from '../helpers/results.js';
import { memoryScreen } from '../helpers/screen.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('custom reporter: the example loads by path and prints a one-line summary', async () => {
  const screen = memoryScreen();
  const [reporter] = await loadReporters(['./examples/reporters/slack-summary.js'], {
    outDir: 'reports',
    cwd: root,
    screen,
  });
  const result = sampleRun();
  for (const s of result.scenarios) reporter.onScenarioEnd?.(s);
  await reporter.onEnd?.(result);
  assert.deepEqual(screen.lines, [
    ':x: flowrun local,staging: 8/10 passed (80.0%), 2 failed, 2 skipped in 12.3s. Failed: ' +
      'Checkout charges the card and confirms the order [staging]; Gateway charge [staging]',
  ]);
});

test('registry: the report reporters are built in and load by name', async () => {
  for (const name of ['junit', 'html', 'markdown', 'matrix', 'github']) {
    assert.ok(builtinReporterNames().includes(name), name);
  }
  const reporters = await loadReporters(['junit', 'html', 'markdown', 'matrix', 'github'], {
    outDir: 'reports',
    cwd: root,
    screen: memoryScreen(),
  });
  assert.equal(reporters.length, 5);
  for (const r of reporters) assert.equal(typeof (r.onEnd ?? r.onScenarioEnd), 'function');
});
