import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { createReporter } from '../../src/report/junit/index.js';
import { buildJUnit, classname } from '../../src/report/junit/build.js';
import type { Screen } from '../../src/types.js';
import { run, sampleRun, scenario, step } from '../helpers/results.js';
import { skipWithout } from '../helpers/tools.js';

const XSD = fileURLToPath(new URL('../fixtures/junit/jenkins-junit.xsd', import.meta.url));
const skip = skipWithout('xmllint');
const screen: Screen = { isTTY: false, color: false, columns: 100, out: () => {}, err: () => {} };

/** Validates with libxml2 against the Jenkins/Surefire schema; returns xmllint's verdict. */
function xmllint(xml: string, file: string): { ok: boolean; output: string } {
  try {
    const output = execFileSync('xmllint', ['--noout', '--schema', XSD, file], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
    return { ok: true, output };
  } catch (error) {
    return { ok: false, output: String((error as { stderr?: string }).stderr ?? error) };
  }
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
});

async function render(): Promise<{ xml: string; file: string; dir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'flowrun-junit-'));
  const reporter = await createReporter({ outDir: 'reports', cwd: dir, screen });
  await reporter.onEnd!(sampleRun());
  const file = path.join(dir, 'reports', 'junit.xml');
  return { xml: await readFile(file, 'utf8'), file, dir };
}

test('junit: the written file validates against the Jenkins/Surefire XSD', { skip }, async () => {
  const { xml, file, dir } = await render();
  const verdict = xmllint(xml, file);
  assert.ok(verdict.ok, verdict.output);
  // The validator is real: an attribute the schema lacks makes it fail.
  const broken = path.join(dir, 'broken.xml');
  await writeFile(broken, xml.replace('<testsuites ', '<testsuites skipped="1" '));
  const bad = xmllint('', broken);
  assert.equal(bad.ok, false);
  assert.match(bad.output, /attribute 'skipped' is not allowed/);
  // Atomic write: no temp file left beside the report.
  assert.deepEqual(await readdir(path.join(dir, 'reports')), ['junit.xml']);
});

test('junit: suites per file and environment, cases per scenario instance, totals', async () => {
  const { xml } = await render();
  const doc = parser.parse(xml);
  const root = doc.testsuites;
  assert.deepEqual(
    { tests: root.tests, failures: root.failures, errors: root.errors, time: root.time },
    { tests: '12', failures: '1', errors: '1', time: '12.345' },
  );
  const suites = root.testsuite as Record<string, any>[];
  assert.deepEqual(
    suites.map((s) => s.name),
    [
      'scenarios/checkout.yaml [local]',
      'scenarios/auth/register.yaml [local]',
      'scenarios/payments/gateways.yaml [local]',
      'scenarios/email.yaml [local]',
      'scenarios/checkout.yaml [staging]',
      'scenarios/auth/register.yaml [staging]',
      'scenarios/payments/gateways.yaml [staging]',
      'scenarios/email.yaml [staging]',
    ],
  );
  const gateways = suites[6];
  assert.deepEqual(
    { tests: gateways.tests, errors: gateways.errors, failures: gateways.failures, file: gateways.file },
    { tests: '3', errors: '1', failures: '0', file: 'scenarios/payments/gateways.yaml' },
  );
  const props = (s: any) => s.properties.property.map((p: any) => `${p.name}=${p.value}`);
  assert.deepEqual(props(gateways), [
    'environment=staging',
    'flowrun.runId=run-20250314-092653',
    'tag=payments',
    'covers=orders → payments',
    'covers=stripe',
    'covers=cloudpayments',
    'covers=yookassa',
  ]);
  const cases = gateways.testcase as Record<string, any>[];
  assert.deepEqual(
    cases.map((c) => [c.name, c.classname]),
    [
      ['Gateway charge (gateway=stripe) [staging]', 'scenarios.payments.gateways'],
      ['Gateway charge (gateway=cloudpayments) [staging]', 'scenarios.payments.gateways'],
      ['Gateway charge (gateway=yookassa) [staging]', 'scenarios.payments.gateways'],
    ],
  );
  // A connection error is an <error>, located at the step's error.
  assert.equal(cases[2].error.type, 'StepError');
  assert.equal(
    cases[2].error.message,
    'connect ECONNREFUSED 10.0.0.7:443 (yookassa sandbox) (at scenarios/payments/gateways.yaml:22)',
  );
});

test('junit: failure with the expectation, expected/actual, file:line and the request as curl', async () => {
  const doc = parser.parse((await render()).xml);
  const checkout = doc.testsuites.testsuite[4].testcase[0];
  assert.equal(checkout.name, 'Checkout charges the card and confirms the order [staging]');
  assert.equal(
    checkout.failure.message,
    'body $.status: expected "confirmed", got "failed" (at scenarios/checkout.yaml:79)',
  );
  assert.equal(checkout.failure.type, 'PollTimeout');
  const text: string = checkout.failure['#text'];
  assert.match(text, /step "order gets confirmed" \(steps\) failed at scenarios\/checkout\.yaml:66:5/);
  assert.match(text, /expected: "confirmed"\n\s+actual: {3}"failed"\n\s+at scenarios\/checkout\.yaml:79:11/);
  assert.match(text, /poll gave up after 5 attempts \(timeout 2\.00s\)/);
  // Credentials never appear, even though the fixture's exchange carries them unmasked.
  assert.match(text, /-H 'Authorization: Bearer \*\*\*' -H 'Cookie: \*\*\*'/);
  const out: string = checkout['system-out'];
  assert.match(out, /tags: smoke, orders\ncovers: cart → orders, orders → payments/);
  assert.match(
    out,
    /FAIL order gets confirmed {2}GET http:\/\/127\.0\.0\.1:8000\/api\/orders\/ord_1 -> 200 {2}2\.10s {2}5 poll attempts \(timed out\)/,
  );
  assert.match(out, /skip order row is paid {2}50ms {2}skipped: an earlier step failed/);
  assert.match(out, /failing request \(order gets confirmed\):\ncurl -X GET/);
  assert.doesNotMatch(out + text, /secret-token|s3cr3t/);
});

test('junit: skipped with its reason, flaky counted as passed with a note', async () => {
  const doc = parser.parse((await render()).xml);
  const email = doc.testsuites.testsuite[3];
  assert.equal(email.skipped, '1');
  assert.equal(email.testcase[0].skipped.message, 'SendGrid sandbox is down (JIRA-42)');
  const flaky = doc.testsuites.testsuite[1].testcase[0];
  assert.equal(flaky.failure, undefined);
  assert.equal(flaky.error, undefined);
  assert.match(flaky['system-out'], /flaky: passed on attempt 2 after failing \(counted as passed\)/);
});

const nasty = 'Quotes " & <tags> ]]> \u0007bell \u001b[31mred\u001b[0m';
const hostileRun = () =>
  run([
    scenario({
      name: nasty,
      file: './scenarios/odd.file.yml',
      steps: [step('scenarios/odd.file.yml', 4, { name: 'x', error: { message: nasty } })],
    }),
  ]);

test('junit: hostile text validates against the XSD', { skip }, async () => {
  const xml = buildJUnit(hostileRun());
  const dir = await mkdtemp(path.join(tmpdir(), 'flowrun-junit-'));
  const file = path.join(dir, 'junit.xml');
  await writeFile(file, xml);
  const verdict = xmllint(xml, file);
  assert.ok(verdict.ok, verdict.output);
});

test('junit: one environment → no [env] suffix; hostile text stays well-formed', () => {
  const xml = buildJUnit(hostileRun());
  const tc = parser.parse(xml).testsuites.testsuite[0].testcase[0];
  assert.equal(tc.name, 'Quotes " & <tags> ]]> \ufffdbell red');
  assert.match(tc.error['#text'], /error: Quotes " & <tags> ]]> \ufffdbell red/);
  assert.equal(parser.parse(xml).testsuites.testsuite[0].name, './scenarios/odd.file.yml');
  assert.equal(classname('./scenarios/odd.file.yml'), 'scenarios.odd.file');
  assert.equal(classname('scenarios\\win\\a.yaml'), 'scenarios.win.a');
});

test('junit: an empty run is still a valid report', { skip }, async () => {
  const xml = buildJUnit(run([]));
  const dir = await mkdtemp(path.join(tmpdir(), 'flowrun-junit-'));
  const file = path.join(dir, 'junit.xml');
  await writeFile(file, xml);
  assert.ok(xmllint(xml, file).ok);
  assert.match(xml, /<testsuites name="flowrun" tests="0" failures="0" errors="0" time="12.345"\/>/);
});
