/**
 * A machine with only Node.js and npm: `npm test` skips what needs redis-server, Java, Chromium or
 * xmllint, with one line per missing tool, and passes; under FLOWRUN_TEST_STRICT=1 (CI) the same
 * run fails naming the missing tools. Runs the real scripts/run-tests.mjs on a small subset of the
 * suite with a PATH that lacks those tools.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { repoRoot } from '../helpers/cli.js';
import { pathWithout } from '../helpers/tools.js';

const HIDDEN = [
  'redis-server',
  'java',
  'chromium',
  'chromium-browser',
  'google-chrome',
  'google-chrome-stable',
  'chrome',
  'xmllint',
];
const SUBSET = [
  'test/unit/report-junit.test.ts',
  'test/integration/redis-step.test.ts',
  'test/integration/report-html.test.ts',
];
const bare = pathWithout(HIDDEN);
after(() => rmSync(bare, { recursive: true, force: true }));

function runTests(env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PATH: bare, ...env };
  for (const name of [
    'FLOWRUN_TEST_DATABASE_URL',
    'FLOWRUN_TEST_REDIS_URL',
    'CHROME_PATH',
    'FLOWRUN_CHROMIUM',
    'JAVA_HOME',
    'NODE_TEST_CONTEXT',
  ])
    delete childEnv[name];
  if (env.FLOWRUN_TEST_STRICT === undefined) delete childEnv.FLOWRUN_TEST_STRICT;
  const child = spawn(process.execPath, ['scripts/run-tests.mjs', '--test-reporter=spec', ...SUBSET], {
    cwd: repoRoot,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGINT');
      reject(new Error(`run-tests.mjs did not finish within 150 s:\n${out}`));
    }, 150_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('a machine without redis-server, Java, Chromium and xmllint', { timeout: 180_000 }, () => {
  it('skips what needs them, one line per tool saying how to install it, and passes', async () => {
    const r = await runTests({});
    assert.equal(r.code, 0, r.out);
    for (const line of [
      /\[run-tests\] redis-server not found: skipping .* \(install: apt-get install redis-server/,
      /\[run-tests\] java not found: skipping .* \(install: a Java 17\+ runtime/,
      /\[run-tests\] chromium not found: skipping .* \(install: apt-get install chromium, or npx playwright-core install chromium, or point CHROME_PATH/,
      /\[run-tests\] xmllint not found: skipping .* \(install: apt-get install libxml2-utils/,
      /no Redis/,
      /﹣ redis runner: results .*# redis-server not found/,
      /﹣ html: summary, heatmap, filters.*# chromium not found/,
      /﹣ junit: the written file validates against the Jenkins\/Surefire XSD .*# xmllint not found/,
      /✔ junit: suites per file and environment/,
    ])
      assert.match(r.out, line);
    assert.match(r.out, /ℹ fail 0/);
    assert.match(r.out, /ℹ skipped [1-9]/);
  });

  it('with FLOWRUN_TEST_STRICT=1 fails before running anything, naming every missing tool', async () => {
    const r = await runTests({ FLOWRUN_TEST_STRICT: '1' });
    assert.equal(r.code, 1, r.out);
    assert.match(
      r.out,
      /FLOWRUN_TEST_STRICT is set and these tools are missing: redis-server, java, chromium, xmllint/,
    );
    assert.match(r.out, /xmllint: install apt-get install libxml2-utils/);
    assert.doesNotMatch(r.out, /PostgreSQL on/);
  });
});
