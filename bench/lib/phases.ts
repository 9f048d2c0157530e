// The measurement phases. Every phase alternates its entries (A B A B ...)
// after one uncounted warm-up round, so drift on the machine spreads evenly.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  measure,
  summarize,
  toRecord,
  type Command,
  type Sample,
  type SampleRecord,
  type Summary,
} from './measure.js';
import { BENCH_DIR, benchPackageBin } from './paths.js';
import { seedOrder, type TargetServer } from './target-server.js';
import { TOOLS, validateCommand, type PreparedRun, type RunContext, type ToolId } from './tools.js';

export interface Measurement {
  key: string;
  tool: ToolId | null;
  label: string;
  concurrency: number;
  summary: Summary;
  samples: SampleRecord[];
  /** The first failure seen, verbatim enough to act on. */
  error: string | null;
}

interface Entry {
  key: string;
  tool: ToolId | null;
  label: string;
  /** Scenarios the run must create on the server (0: do not check). */
  n: number;
  run: PreparedRun;
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

function describeFailure(sample: Sample): string {
  const output = (sample.stderr.trim() || sample.stdout.trim()).split('\n').slice(-25).join('\n');
  return `exit code ${sample.exitCode}${output ? `:\n${output}` : ''}`;
}

async function runEntry(
  entry: Entry,
  server: TargetServer | null,
): Promise<{ sample: Sample; error: string | null }> {
  entry.run.beforeEach?.();
  const before = entry.n > 0 && server ? await server.orderCount() : 0;
  const sample = await measure(entry.run.command);
  if (sample.exitCode !== 0) return { sample, error: describeFailure(sample) };
  const checked = entry.run.check?.(sample) ?? null;
  if (checked) return { sample, error: checked };
  if (entry.n > 0 && server) {
    const created = (await server.orderCount()) - before;
    if (created !== entry.n) return { sample, error: `created ${created} orders, expected ${entry.n}` };
  }
  return { sample, error: null };
}

/** Warm-up round, then `runs` rounds over all entries in the same order. */
async function alternate(
  entries: Entry[],
  runs: number,
  server: TargetServer | null,
): Promise<Measurement[]> {
  const state = entries.map((entry) => ({
    entry,
    samples: [] as SampleRecord[],
    error: null as string | null,
  }));
  for (let round = 0; round <= runs; round++) {
    for (const s of state) {
      // A tool that failed its warm-up is not measured further: its error is the result.
      if (round > 0 && s.samples.length === 0 && s.error) continue;
      const { sample, error } = await runEntry(s.entry, server);
      const ms = (sample.wallMs / 1000).toFixed(2);
      log(
        `  ${round === 0 ? 'warm-up' : `run ${round}/${runs}`}  ${s.entry.label.padEnd(28)} ${ms} s${error ? '  FAILED' : ''}`,
      );
      if (error && !s.error) s.error = error;
      if (round === 0) continue;
      s.samples.push(toRecord(sample, error === null));
    }
  }
  return state.map(({ entry, samples, error }) => ({
    key: entry.key,
    tool: entry.tool,
    label: entry.label,
    concurrency: entry.run.concurrency,
    summary: summarize(samples),
    samples,
    error,
  }));
}

function toolEntries(tools: ToolId[], n: number, ctx: RunContext, skipped: Map<ToolId, string>): Entry[] {
  const entries: Entry[] = [];
  for (const id of tools) {
    const tool = TOOLS[id];
    const reason = tool.unavailable();
    if (reason) {
      skipped.set(id, reason);
      continue;
    }
    entries.push({ key: id, tool: id, label: tool.label, n, run: tool.prepare(n, ctx) });
  }
  return entries;
}

export interface WorkloadResult {
  size: number;
  measurements: Measurement[];
  skipped: Record<string, string>;
}

export async function workloadPhase(
  tools: ToolId[],
  size: number,
  runs: number,
  ctx: RunContext,
  server: TargetServer,
): Promise<WorkloadResult> {
  log(`\nworkload N=${size}, concurrency ${ctx.concurrency}`);
  const skipped = new Map<ToolId, string>();
  const entries = toolEntries(tools, size, ctx, skipped);
  for (const [id, reason] of skipped) log(`  skipped ${id}: ${reason}`);
  return { size, measurements: await alternate(entries, runs, server), skipped: Object.fromEntries(skipped) };
}

export async function coldStartPhase(tools: ToolId[], runs: number): Promise<Measurement[]> {
  log('\ncold start (--version)');
  const entries: Entry[] = [];
  for (const id of tools) {
    const tool = TOOLS[id];
    if (id === 'flowrun-params' || tool.unavailable()) continue;
    entries.push({
      key: id,
      tool: id,
      label: tool.label,
      n: 0,
      run: { command: tool.versionCommand(), concurrency: 1 },
    });
  }
  return alternate(entries, runs, null);
}

export async function validatePhase(files: number, runs: number): Promise<Measurement> {
  log(`\nflowrun validate, ${files} files`);
  const command = validateCommand(files);
  const [m] = await alternate(
    [
      {
        key: 'validate',
        tool: 'flowrun',
        label: `flowrun validate ${files}`,
        n: 0,
        run: { command, concurrency: 1 },
      },
    ],
    runs,
    null,
  );
  return m;
}

export interface LongRunResult {
  n: number;
  concurrency: number;
  wallMs: number | null;
  cpuMs: number | null;
  rssMiB: number | null;
  reportWritten: boolean;
  reportBytes: number;
  error: string | null;
}

export async function longRunPhase(n: number, ctx: RunContext, server: TargetServer): Promise<LongRunResult> {
  log(`\nlong run: flowrun N=${n}, concurrency ${ctx.concurrency}`);
  const run = TOOLS.flowrun.prepare(n, ctx);
  const { sample, error } = await runEntry(
    { key: 'long', tool: 'flowrun', label: 'flowrun', n, run },
    server,
  );
  const out = run.command.args[run.command.args.indexOf('-o') + 1];
  const reports = existsSync(out) ? readdirSync(out).filter((f) => f.endsWith('.json')) : [];
  const reportBytes = reports.reduce((sum, f) => sum + statSync(join(out, f)).size, 0);
  log(
    `  ${(sample.wallMs / 1000).toFixed(2)} s, peak RSS ${((sample.rssKiB ?? 0) / 1024).toFixed(0)} MiB${error ? '  FAILED' : ''}`,
  );
  return {
    n,
    concurrency: ctx.concurrency,
    wallMs: sample.wallMs,
    cpuMs: sample.cpuMs,
    rssMiB: sample.rssKiB === null ? null : sample.rssKiB / 1024,
    reportWritten: reportBytes > 0,
    reportBytes,
    error,
  };
}

/** flowrun (and the baseline, for reference) at several concurrency levels. */
export async function scalingPhase(
  tools: ToolId[],
  n: number,
  levels: number[],
  runs: number,
  baseUrl: string,
  server: TargetServer,
): Promise<Measurement[]> {
  log(`\nscaling: N=${n} at concurrency ${levels.join(', ')}`);
  const entries: Entry[] = [];
  for (const c of levels) {
    for (const id of tools.filter((t) => t === 'flowrun' || t === 'baseline')) {
      if (TOOLS[id].unavailable()) continue;
      const run = TOOLS[id].prepare(n, { baseUrl, concurrency: c });
      entries.push({ key: `${id}@${c}`, tool: id, label: `${TOOLS[id].label} -c ${c}`, n, run });
    }
  }
  return alternate(entries, runs, server);
}

export interface AutocannonResult {
  connections: number;
  seconds: number;
  requestsPerSec: number | null;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  errors: number | null;
  error: string | null;
}

/** Raw ceiling of the target server: GET /orders/:id with a bearer token. */
export async function autocannonPhase(
  baseUrl: string,
  connections: number,
  seconds: number,
): Promise<AutocannonResult | null> {
  const bin = benchPackageBin('autocannon', 'autocannon');
  if (!bin) return null;
  log(`\nautocannon: ${connections} connections, ${seconds} s`);
  const { token, id } = await seedOrder(baseUrl);
  const command: Command = {
    cmd: process.execPath,
    args: [
      bin,
      '-c',
      String(connections),
      '-d',
      String(seconds),
      '-j',
      '-H',
      `authorization=Bearer ${token}`,
    ],
    cwd: BENCH_DIR,
  };
  command.args.push(`${baseUrl}/orders/${id}`);
  const sample = await measure(command);
  const base = { connections, seconds };
  if (sample.exitCode !== 0) {
    return {
      ...base,
      requestsPerSec: null,
      latencyP50Ms: null,
      latencyP99Ms: null,
      errors: null,
      error: describeFailure(sample),
    };
  }
  const json = JSON.parse(sample.stdout) as {
    requests: { average: number };
    latency: { p50: number; p99: number };
    errors: number;
    non2xx: number;
  };
  log(`  ${Math.round(json.requests.average)} requests/s`);
  return {
    ...base,
    requestsPerSec: json.requests.average,
    latencyP50Ms: json.latency.p50,
    latencyP99Ms: json.latency.p99,
    errors: json.errors + json.non2xx,
    error: null,
  };
}
