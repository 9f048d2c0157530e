// reports/<name>.json (everything, every counted sample) and reports/<name>.md
// (the tables README's benchmark section shows).
import { cpus, loadavg, totalmem, type as osType, release } from 'node:os';
import type { Stat } from './measure.js';
import type { AutocannonResult, LongRunResult, Measurement, WorkloadResult } from './phases.js';
import type { Target } from './targets.js';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  /** 1-minute load average when the run started and ended: other work on the machine shows here. */
  loadAverageStart: number;
  loadAverageEnd?: number;
}

export function machineInfo(): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${osType()} ${release()}`,
    node: process.version,
    loadAverageStart: loadavg()[0],
  };
}

export interface QuickGate {
  ratio: number | null;
  maxRatio: number;
  pass: boolean;
  reason: string;
}

export interface BenchResult {
  generatedAt: string;
  mode: 'full' | 'quick';
  command: string;
  machine: Machine;
  versions: Record<string, string | null>;
  options: { runs: number; concurrency: number; sizes: number[]; tools: string[]; phases: string[] };
  workloads: WorkloadResult[];
  coldStart: Measurement[] | null;
  validate: Measurement | null;
  longRun: LongRunResult | null;
  scaling: { n: number; levels: number[]; measurements: Measurement[] } | null;
  autocannon: AutocannonResult | null;
  targets: Target[];
  quickGate: QuickGate | null;
}

const sec = (ms: number): string => (ms / 1000).toFixed(3);
const range = (s: Stat | null, f: (x: number) => string): string =>
  s ? `${f(s.median)} (${f(s.min)}–${f(s.max)})` : '—';
const mib = (x: number): string => x.toFixed(0);
/** autocannon reports whole milliseconds. */
const ms = (x: number | null): string => (x === null ? '—' : x === 0 ? '< 1' : String(x));
const mark = (pass: boolean | null): string => (pass === null ? '— n/a' : pass ? '✅ pass' : '❌ fail');

function ratio(m: Measurement, base: Measurement | undefined, pick: 'wallMs' | 'cpuMs' | 'rssMiB'): string {
  const a = m.summary[pick]?.median;
  const b = base?.summary[pick]?.median;
  return a && b ? `${(a / b).toFixed(2)}×` : '—';
}

function measurementRows(ms: Measurement[], baseFor: (m: Measurement) => Measurement | undefined, n: number) {
  return ms.map((m) => {
    const base = baseFor(m);
    const wall = m.summary.wallMs;
    const rps = wall && n > 0 ? String(Math.round((3 * n) / (wall.median / 1000))) : '—';
    const status = m.error ? `❌ ${m.summary.failed || 'all'} failed` : `${m.summary.runs} ok`;
    return `| ${m.label} | ${m.concurrency} | ${range(wall, sec)} | ${range(m.summary.cpuMs, sec)} | ${range(
      m.summary.rssMiB,
      mib,
    )} | ${ratio(m, base, 'wallMs')} | ${ratio(m, base, 'cpuMs')} | ${ratio(m, base, 'rssMiB')} | ${rps} | ${status} |`;
  });
}

const TABLE_HEAD = [
  '| tool | concurrency | wall s, median (min–max) | CPU s, user+sys | peak RSS MiB | wall ÷ baseline | CPU ÷ baseline | RSS ÷ baseline | requests/s | runs |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
];

function errors(ms: Measurement[]): string[] {
  return ms
    .filter((m) => m.error)
    .flatMap((m) => ['', `**${m.label} failed:**`, '', '```', m.error!.slice(0, 3000), '```']);
}

export function renderMarkdown(r: BenchResult): string {
  const out: string[] = [];
  out.push(`# flowrun benchmark${r.mode === 'quick' ? ' (quick)' : ''}`, '');
  out.push(`Generated ${r.generatedAt} by \`${r.command}\`.`, '');
  out.push(
    `**Machine:** ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, ${r.machine.os}, Node ${r.machine.node}; ` +
      `load average ${r.machine.loadAverageStart.toFixed(2)} at the start, ${r.machine.loadAverageEnd?.toFixed(2) ?? '?'} at the end.`,
    '',
  );
  out.push(
    `**Versions:** ${Object.entries(r.versions)
      .map(([k, v]) => `${k} ${v ?? 'not installed'}`)
      .join(', ')}.`,
    '',
  );
  out.push(
    `Each cell: median (min–max) of ${r.options.runs} counted runs after one warm-up, tools alternating. ` +
      'Wall time from spawn to exit; CPU = user+sys of the process tree; peak RSS of the largest process. ' +
      'Ratios compare medians with the hand-written node:http baseline measured in the same rounds. ' +
      'requests/s = 3 requests × N ÷ median wall time (includes start-up).',
    '',
  );

  if (r.targets.length > 0) {
    out.push('## Targets', '', '| target | measured | result |', '|---|---|---|');
    for (const t of r.targets) out.push(`| ${t.goal} | ${t.measured} | ${mark(t.pass)} |`);
    out.push('');
  }
  if (r.quickGate) {
    const g = r.quickGate;
    out.push(
      '## Regression gate',
      '',
      `flowrun ÷ baseline wall time at N=${r.options.sizes.join(', ')}: ${
        g.ratio === null ? g.reason : `${g.ratio.toFixed(2)}×`
      } (bound ${g.maxRatio}×): ${mark(g.pass)}`,
      '',
    );
  }

  for (const w of r.workloads) {
    out.push(`## Workload N=${w.size}`, '', ...TABLE_HEAD);
    const base = w.measurements.find((m) => m.key === 'baseline');
    out.push(...measurementRows(w.measurements, () => base, w.size));
    for (const [tool, reason] of Object.entries(w.skipped)) out.push('', `Skipped ${tool}: ${reason}.`);
    out.push(...errors(w.measurements), '');
  }
  if (r.workloads.some((w) => w.measurements.some((m) => m.tool === 'newman'))) {
    out.push('Newman has no concurrency option: its iterations always run one after another.', '');
  }

  if (r.scaling) {
    out.push(`## Concurrency scaling, N=${r.scaling.n}`, '', ...TABLE_HEAD);
    const ms = r.scaling.measurements;
    out.push(
      ...measurementRows(ms, (m) => ms.find((b) => b.key === `baseline@${m.concurrency}`), r.scaling.n),
      ...errors(ms),
      '',
    );
  }

  if (r.coldStart) {
    out.push(
      '## Cold start (`--version`)',
      '',
      '| tool | wall s | CPU s | peak RSS MiB |',
      '|---|---:|---:|---:|',
    );
    for (const m of r.coldStart) {
      out.push(
        `| ${m.label} | ${range(m.summary.wallMs, sec)} | ${range(m.summary.cpuMs, sec)} | ${range(m.summary.rssMiB, mib)} |`,
      );
    }
    out.push(...errors(r.coldStart), '');
  }

  if (r.validate) {
    const m = r.validate;
    out.push(
      '## `flowrun validate`',
      '',
      '| files | wall s | CPU s | peak RSS MiB |',
      '|---:|---:|---:|---:|',
      `| ${m.label.replace(/\D+/g, '')} | ${range(m.summary.wallMs, sec)} | ${range(m.summary.cpuMs, sec)} | ${range(m.summary.rssMiB, mib)} |`,
      ...errors([m]),
      '',
    );
  }

  if (r.longRun) {
    const l = r.longRun;
    out.push(
      `## Long run: flowrun N=${l.n}, -c ${l.concurrency}`,
      '',
      '| wall s | CPU s | peak RSS MiB | JSON report |',
      '|---:|---:|---:|---|',
      `| ${l.wallMs === null ? '—' : sec(l.wallMs)} | ${l.cpuMs === null ? '—' : sec(l.cpuMs)} | ${
        l.rssMiB === null ? '—' : mib(l.rssMiB)
      } | ${l.reportWritten ? `written, ${(l.reportBytes / 2 ** 20).toFixed(1)} MiB` : 'missing'} |`,
      ...(l.error ? ['', '**Failed:**', '', '```', l.error.slice(0, 3000), '```'] : []),
      '',
    );
  }

  if (r.autocannon) {
    const a = r.autocannon;
    out.push(
      '## Raw ceiling (autocannon, `GET /orders/:id`)',
      '',
      '| connections | duration s | requests/s | latency p50 ms | latency p99 ms | errors |',
      '|---:|---:|---:|---:|---:|---:|',
      `| ${a.connections} | ${a.seconds} | ${a.requestsPerSec === null ? '—' : Math.round(a.requestsPerSec)} | ${ms(
        a.latencyP50Ms,
      )} | ${ms(a.latencyP99Ms)} | ${a.errors ?? '—'} |`,
      ...(a.error ? ['', '```', a.error, '```'] : []),
      '',
    );
  }
  return `${out.join('\n')}\n`;
}
