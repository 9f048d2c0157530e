import os from 'node:os';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { normalizePoint } from '../../matrix/load.js';
import type { RunResult, ScenarioResult, StepResult } from '../../types.js';
import {
  displayName,
  fileLine,
  firstFailure,
  formatDuration,
  formatParams,
  plain,
  pretty,
  redactCurl,
  stringify,
  where,
} from '../format/index.js';

/**
 * JUnit XML as Jenkins, GitLab and GitHub test-report actions read it (the Surefire /
 * Jenkins junit-10 schema): a testsuite per scenario file and environment, a testcase per
 * scenario instance. That schema has no per-testcase properties, so environment, tags and
 * covered points are suite properties, and each testcase repeats its own in system-out.
 */
export function buildJUnit(result: RunResult): string {
  const multiEnv = result.environments.length > 1;
  const suites = new Map<string, ScenarioResult[]>();
  for (const s of result.scenarios) {
    const key = `${s.file}\u0000${s.environment}`;
    suites.set(key, [...(suites.get(key) ?? []), s]);
  }
  const counts = (list: ScenarioResult[]) => {
    let failures = 0;
    let errors = 0;
    for (const s of list) {
      if (s.status !== 'failed') continue;
      if (failureKind(s) === 'failure') failures++;
      else errors++;
    }
    return {
      tests: list.length,
      failures,
      errors,
      skipped: list.filter((s) => s.status === 'skipped').length,
      time: seconds(list.reduce((sum, s) => sum + s.durationMs, 0)),
    };
  };

  const all = counts(result.scenarios);
  // XML 1.0 cannot carry most control characters; they only ever come from captured output.
  const doc = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '\ufffd' });
  const root = doc.ele('testsuites', {
    name: 'flowrun',
    tests: all.tests,
    failures: all.failures,
    errors: all.errors,
    time: seconds(result.durationMs),
  });
  let id = 0;
  const hostname = os.hostname();
  for (const list of suites.values()) {
    const first = list[0];
    const c = counts(list);
    const suite = root.ele('testsuite', {
      name: multiEnv ? `${first.file} [${first.environment}]` : first.file,
      tests: c.tests,
      failures: c.failures,
      errors: c.errors,
      skipped: c.skipped,
      time: c.time,
      timestamp: first.startedAt.replace(/\.\d+Z$/, '').replace(/Z$/, ''),
      hostname,
      id: id++,
      package: classname(first.file),
      file: first.file,
    });
    const props = suite.ele('properties');
    props.ele('property', { name: 'environment', value: first.environment });
    props.ele('property', { name: 'flowrun.runId', value: result.runId });
    for (const tag of unique(list.flatMap((s) => s.tags))) props.ele('property', { name: 'tag', value: tag });
    for (const point of unique(list.flatMap((s) => s.covers.map(normalizePoint))))
      props.ele('property', { name: 'covers', value: point });
    for (const s of list) testcase(suite, s, multiEnv);
  }
  return doc.end({ prettyPrint: true });
}

const unique = (values: string[]): string[] => [...new Set(values)];
const seconds = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

/** `scenarios/payments/gateways.yaml` → `scenarios.payments.gateways`: CI UIs split it into package and class. */
export const classname = (file: string): string =>
  file
    .replace(/\\/g, '/')
    .replace(/^\.\//, '')
    .replace(/\.ya?ml$/i, '')
    .replace(/[/.]+/g, '.');

/** Failed expectations are failures; anything that stopped the scenario otherwise is an error. */
function failureKind(s: ScenarioResult): 'failure' | 'error' {
  const f = firstFailure(s);
  return f && f.kind !== 'error' ? 'failure' : 'error';
}

function testcase(suite: XMLBuilder, s: ScenarioResult, multiEnv: boolean): void {
  const tc = suite.ele('testcase', {
    name: plain(displayName(s, multiEnv)),
    classname: classname(s.file),
    time: seconds(s.durationMs),
  });
  if (s.status === 'skipped') {
    tc.ele('skipped', { message: s.skipReason ?? 'skipped' });
  } else if (s.status === 'failed') {
    const f = firstFailure(s)!;
    const kind = failureKind(s);
    const type =
      f.kind === 'timeout'
        ? 'PollTimeout'
        : kind === 'failure'
          ? `AssertionFailure(${f.assertion?.matcher ?? 'expect'})`
          : 'StepError';
    tc.ele(kind, { message: plain(`${f.message} (at ${fileLine(f.location)})`), type }).txt(
      plain(failureDetails(s)),
    );
  }
  tc.ele('system-out').txt(plain(systemOut(s)));
}

/** Every failed expectation of the failed steps, with expected/actual and where it is written. */
function failureDetails(s: ScenarioResult): string {
  const lines: string[] = [];
  for (const step of s.steps.filter((x) => x.status === 'failed')) {
    lines.push(`step "${step.name}" (${step.phase}) failed at ${where(step.location)}`);
    for (const a of step.assertions.filter((x) => !x.passed)) {
      lines.push(`  ${a.path} [${a.matcher}]: ${a.message ?? 'failed'}`);
      lines.push(indent(`expected: ${json(a.expected)}`, 4));
      lines.push(indent(`actual:   ${json(a.actual)}`, 4));
      lines.push(`    at ${where(a.location ?? step.location)}`);
    }
    if (step.error)
      lines.push(`  error: ${step.error.message}`, `    at ${where(step.error.location ?? step.location)}`);
    if (step.poll?.timedOut) {
      lines.push(
        `  poll gave up after ${step.poll.attempts.length} attempts (timeout ${formatDuration(step.poll.timeoutMs)})`,
      );
    }
    if (step.exchange) lines.push('  request:', indent(redactCurl(step.exchange.curl), 4));
  }
  if (s.error) lines.push(`error: ${s.error.message}`, `  at ${where(s.error.location ?? s.location)}`);
  return lines.join('\n');
}

const json = (v: unknown): string =>
  v === undefined ? 'undefined' : (JSON.stringify(v, null, 2) ?? String(v));

const indent = (text: string, n: number): string =>
  text
    .split('\n')
    .map((l, i) => (i === 0 ? ' '.repeat(n) + l : ' '.repeat(n + 10) + l))
    .join('\n');

const MARK: Record<string, string> = { passed: 'ok  ', failed: 'FAIL', skipped: 'skip', flaky: 'ok~ ' };

function systemOut(s: ScenarioResult): string {
  const lines = [
    `scenario: ${s.name}${formatParams(s.parameters)}`,
    `file: ${where(s.location)}`,
    `environment: ${s.environment}`,
  ];
  if (s.tags.length) lines.push(`tags: ${s.tags.join(', ')}`);
  if (s.covers.length) lines.push(`covers: ${s.covers.map(normalizePoint).join(', ')}`);
  if (s.status === 'flaky')
    lines.push(`flaky: passed on attempt ${s.attempts} after failing (counted as passed)`);
  if (s.status === 'skipped') lines.push(`skipped: ${s.skipReason ?? 'skipped'}`);
  if (s.steps.length) lines.push('', 'steps:');
  for (const step of s.steps) lines.push(stepLine(step));
  const failing = s.steps.find((x) => x.status === 'failed' && x.exchange);
  if (failing?.exchange) {
    lines.push('', `failing request (${failing.name}):`, redactCurl(failing.exchange.curl));
    const res = failing.exchange.response;
    if (res) lines.push(`response: ${res.status} in ${formatDuration(res.durationMs)}`, pretty(res.body));
  }
  return lines.join('\n');
}

function stepLine(step: StepResult): string {
  const parts = [
    `  ${MARK[step.status] ?? step.status} ${step.phase === 'steps' ? '' : `[${step.phase}] `}${step.name}`,
  ];
  if (step.exchange) {
    const r = step.exchange.request;
    parts.push(`${r.method} ${r.url}${step.exchange.response ? ` -> ${step.exchange.response.status}` : ''}`);
  }
  parts.push(formatDuration(step.durationMs));
  if (step.poll)
    parts.push(`${step.poll.attempts.length} poll attempts${step.poll.timedOut ? ' (timed out)' : ''}`);
  if (step.skipReason) parts.push(`skipped: ${step.skipReason}`);
  if (step.error) parts.push(`error: ${stringify(step.error.message)}`);
  return parts.join('  ');
}
