import { test } from 'node:test';
import assert from 'node:assert/strict';
import { annotation, createReporter, escapeData, escapeProperty } from '../../src/report/github/index.js';
import { sampleRun } from '../helpers/results.js';
import { memoryScreen } from '../helpers/screen.js';

test('github: escaping follows the workflow-command rules', () => {
  assert.equal(escapeData('50% done\r\nnext'), '50%25 done%0D%0Anext');
  assert.equal(escapeProperty('a:b,c%\n'), 'a%3Ab%2Cc%25%0A');
  assert.equal(
    annotation('error', 'line1\nline2', { file: 'a b.yaml', line: 3, col: 7, title: 'x: y, z' }),
    '::error file=a b.yaml,line=3,col=7,title=x%3A y%2C z::line1%0Aline2',
  );
  assert.equal(annotation('notice', 'plain'), '::notice::plain');
});

test('github: failures as errors at the assertion, flaky as warnings, nothing for passes', async () => {
  const screen = memoryScreen();
  const previous = process.env.GITHUB_WORKSPACE;
  process.env.GITHUB_WORKSPACE = '/repo';
  try {
    const reporter = await createReporter({ outDir: 'reports', cwd: '/repo/tests', screen });
    const result = sampleRun();
    reporter.onBegin!({
      runId: 'r',
      startedAt: '',
      environments: result.environments,
      total: 12,
      outDir: '',
      cwd: '',
    });
    for (const s of result.scenarios) reporter.onScenarioEnd!(s);
    reporter.onError!({ message: 'reporter "x" threw', location: undefined });
    await reporter.onEnd!(result);
  } finally {
    if (previous === undefined) delete process.env.GITHUB_WORKSPACE;
    else process.env.GITHUB_WORKSPACE = previous;
  }
  assert.deepEqual(screen.lines, [
    '::warning file=tests/scenarios/auth/register.yaml,line=2,col=1,title=flaky%3A Register & log in <new> user [local]::passed only on attempt 2: flaky',
    '::error file=tests/scenarios/checkout.yaml,line=79,col=11,title=Checkout charges the card and confirms the order [staging] › order gets confirmed::body $.status: expected "confirmed", got "failed"',
    '::error file=tests/scenarios/payments/gateways.yaml,line=22,col=7,title=Gateway charge (gateway=yookassa) [staging] › charge::connect ECONNREFUSED 10.0.0.7:443 (yookassa sandbox)',
    '::error title=flowrun::reporter "x" threw',
  ]);
});

test('github: at most 50 annotations, then one notice', async () => {
  const screen = memoryScreen();
  const reporter = await createReporter({ outDir: 'reports', cwd: '/repo', screen });
  const failed = sampleRun().scenarios.find((s) => s.status === 'failed')!;
  for (let i = 0; i < 70; i++) reporter.onScenarioEnd!(failed);
  await reporter.onEnd!(sampleRun());
  assert.equal(screen.lines.length, 51);
  assert.equal(screen.lines[50], '::notice::20 more annotations not shown; see the job log or reports');
});
