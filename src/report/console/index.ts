import { Chalk, type ChalkInstance } from 'chalk';
import { createRequire } from 'node:module';
import type {
  AssertionResult,
  Reporter,
  ReporterFactory,
  RunInfo,
  RunResult,
  ScenarioResult,
  Screen,
  StepResult,
} from '../../types.js';
import { formatMs } from '../../util/time.js';
import { coverageList, coverageSummary } from '../api-coverage.js';

const MAX_BODY = 1200;
// diff is only needed to show a failure.
const load = createRequire(import.meta.url);
const diffJson = (a: object, b: object): { value: string; added?: boolean; removed?: boolean }[] =>
  (
    load('diff') as {
      diffJson: (a: object, b: object) => { value: string; added?: boolean; removed?: boolean }[];
    }
  ).diffJson(a, b);

/** Live progress on a TTY, plain lines elsewhere; failures in detail; a summary at the end. */
export const createReporter: ReporterFactory = (options) =>
  new ConsoleReporter(options.screen, options.apiCoverageList === true);

export class ConsoleReporter implements Reporter {
  readonly name = 'console';
  private readonly c: ChalkInstance;
  private info?: RunInfo;
  private done = 0;
  private running = new Map<string, string>();
  private statusShown = false;

  constructor(
    private readonly screen: Screen,
    /** `--coverage`: list every operation under the API coverage line. */
    private readonly listApiCoverage = false,
  ) {
    this.c = new Chalk({ level: screen.color ? 1 : 0 });
  }

  onBegin(info: RunInfo): void {
    this.info = info;
    const envs = info.environments.join(', ');
    this.print(
      this.c.bold(
        `flowrun · run ${info.runId} · ${info.total} scenario${info.total === 1 ? '' : 's'} · environment ${envs}`,
      ),
    );
  }

  onScenarioBegin(s: { id: string; name: string; environment: string }): void {
    this.running.set(`${s.environment}|${s.id}`, s.name);
    this.status();
  }

  onScenarioEnd(r: ScenarioResult): void {
    this.running.delete(`${r.environment}|${r.id}`);
    this.done++;
    const c = this.c;
    const env = (this.info?.environments.length ?? 1) > 1 ? c.dim(` [${r.environment}]`) : '';
    const time = c.dim(` (${formatMs(r.durationMs)})`);
    const lines: string[] = [];
    switch (r.status) {
      case 'passed':
        lines.push(`  ${c.green('✓')} ${r.name}${env}${time}`);
        lines.push(...this.warnings(r));
        break;
      case 'flaky':
        lines.push(
          `  ${c.yellow('⚠')} ${r.name}${env}${time} ${c.yellow(`flaky: passed on attempt ${r.attempts}`)}`,
        );
        break;
      case 'skipped':
        lines.push(`  ${c.dim('-')} ${c.dim(r.name)}${env} ${c.dim(`skipped: ${r.skipReason ?? ''}`)}`);
        break;
      case 'failed':
        lines.push(
          `  ${c.red('✗')} ${c.red(r.name)}${env}${time}${r.attempts > 1 ? c.dim(` after ${r.attempts} attempts`) : ''}`,
        );
        lines.push(...this.failure(r));
        break;
    }
    this.print(lines.join('\n'));
  }

  onError(e: { message: string; location?: { file: string; line: number; col: number } }): void {
    const at = e.location ? `${e.location.file}:${e.location.line}:${e.location.col} ` : '';
    this.print(this.c.red(`error: ${at}${e.message}`));
  }

  onEnd(result: RunResult): void {
    this.clearStatus();
    const c = this.c;
    const t = result.totals;
    const parts = [
      c.green(`${t.passed} passed`),
      t.failed ? c.red(`${t.failed} failed`) : `${t.failed} failed`,
      ...(t.flaky ? [c.yellow(`${t.flaky} flaky`)] : []),
      ...(t.skipped ? [c.dim(`${t.skipped} skipped`)] : []),
    ];
    const out = [''];
    if (result.interrupted)
      out.push(c.yellow('Interrupted: the results below are what finished before the interruption.'));
    out.push(`${c.bold('Scenarios:')}    ${parts.join(', ')} (${t.scenarios} total)`);
    out.push(`${c.bold('Success rate:')} ${result.successRate.toFixed(1)}%`);
    out.push(`${c.bold('Duration:')}     ${formatMs(result.durationMs)}`);
    if (result.api) {
      for (const line of coverageSummary(result.api)) out.push(`${c.bold('API coverage:')} ${line}`);
      if (this.listApiCoverage) out.push(...coverageList(result.api).map((l) => `  ${l}`));
    }
    this.screen.out(out.join('\n'));
  }

  private failure(r: ScenarioResult): string[] {
    const c = this.c;
    const out: string[] = [];
    const failedSteps = r.steps.filter((s) => s.status === 'failed');
    if (!failedSteps.length && r.error)
      out.push(`      ${c.red(r.error.message)}${loc(r.error.location, c)}`);
    for (const s of failedSteps) out.push(...this.step(s));
    for (const u of (r.unmatchedRequests ?? []).slice(0, 5) as {
      server?: string;
      method?: string;
      path?: string;
      closest?: unknown;
      reason?: string;
    }[]) {
      out.push(
        c.yellow(
          `      unmatched request on mock ${u.server ?? ''}: ${u.method ?? ''} ${u.path ?? ''}${u.reason ? ` (${u.reason})` : ''}`,
        ),
      );
    }
    return out;
  }

  /** Contract warnings (`contract: warn`) of a scenario that passed. */
  private warnings(r: ScenarioResult): string[] {
    const c = this.c;
    const out: string[] = [];
    for (const s of r.steps)
      for (const a of s.assertions)
        if (a.warning && !a.passed)
          out.push(`      ${c.yellow(`warning: ${a.message ?? a.path}`)}${loc(a.location, c)}`);
    return out.slice(0, 10);
  }

  private step(s: StepResult): string[] {
    const c = this.c;
    const out = [
      `    ${c.red('✗')} ${s.phase === 'steps' ? 'step' : s.phase} "${s.name}"${loc(s.location, c)}`,
    ];
    if (s.includedFrom?.length)
      out.push(c.dim(`      included from ${s.includedFrom.map((l) => `${l.file}:${l.line}`).join(' → ')}`));
    const failed = s.assertions.filter((a) => !a.passed);
    if (failed.length) for (const a of failed) out.push(...this.assertion(a));
    else if (s.error) out.push(...message(s.error.message, s.error.location, c));
    if (failed.length && s.error && s.poll?.timedOut) out.push(`      ${c.red(s.error.message)}`);
    else if (failed.length && s.error && s.poll?.maxAttempts !== undefined)
      out.push(...message(s.error.message, s.error.location, c));
    if (s.poll?.maxAttempts !== undefined)
      out.push(c.dim(`      repeat: ${s.attempts} of at most ${s.poll.maxAttempts} iterations`));
    else if (s.poll)
      out.push(
        c.dim(
          `      poll: ${s.attempts} attempt${s.attempts === 1 ? '' : 's'}${s.poll.timedOut ? `, timed out after ${formatMs(s.poll.timeoutMs)}` : ''}`,
        ),
      );
    if (s.exchange) {
      out.push(c.dim(`      request:  ${s.exchange.curl}`));
      const res = s.exchange.response;
      if (res)
        out.push(
          c.dim(
            `      response: ${res.status} ${truncate(typeof res.body === 'string' ? res.body : JSON.stringify(res.body))}`,
          ),
        );
    }
    return out;
  }

  private assertion(a: AssertionResult): string[] {
    const c = this.c;
    const out = message(a.message ?? `${a.path} failed`, a.location, c);
    const objects =
      a.expected !== null &&
      typeof a.expected === 'object' &&
      a.actual !== null &&
      typeof a.actual === 'object';
    if (objects) {
      out.push(c.dim('        - expected  + actual'));
      for (const part of diffJson(a.expected as object, a.actual as object)) {
        const lines = part.value.replace(/\n$/, '').split('\n');
        for (const line of lines.slice(0, 40)) {
          if (part.added) out.push(c.green(`        + ${line}`));
          else if (part.removed) out.push(c.red(`        - ${line}`));
          else out.push(c.dim(`          ${line}`));
        }
      }
    }
    return out;
  }

  /** One status line on a TTY, rewritten in place; nothing in CI or pipes. */
  private status(): void {
    if (!this.screen.isTTY || !this.info) return;
    const names = [...this.running.values()];
    const line = `${this.c.cyan('…')} ${this.done}/${this.info.total} done · running: ${names.slice(0, 2).join(', ')}${names.length > 2 ? ` +${names.length - 2}` : ''}`;
    process.stdout.write(`\r\x1b[K${line.slice(0, Math.max(20, this.screen.columns - 1))}`);
    this.statusShown = true;
  }

  private clearStatus(): void {
    if (this.statusShown) {
      process.stdout.write('\r\x1b[K');
      this.statusShown = false;
    }
  }

  private print(text: string): void {
    this.clearStatus();
    this.screen.out(text);
    this.status();
  }
}

/** A failure message: its first line in red with the location, further lines indented under it. */
function message(
  text: string,
  location: { file: string; line: number; col: number } | undefined,
  c: ChalkInstance,
): string[] {
  const [first, ...rest] = text.split('\n');
  return [`      ${c.red(first)}${loc(location, c)}`, ...rest.map((line) => `        ${line}`)];
}

const loc = (l: { file: string; line: number; col: number } | undefined, c: ChalkInstance): string =>
  l ? c.dim(`  at ${l.file}:${l.line}:${l.col}`) : '';
const truncate = (s: string): string =>
  s.length > MAX_BODY ? `${s.slice(0, MAX_BODY)}… (${s.length} chars)` : s;
