// The goals flowrun must meet, evaluated against one benchmark result.
import type { Measurement, LongRunResult, WorkloadResult } from './phases.js';

export interface Target {
  id: string;
  goal: string;
  measured: string;
  /** null: not measured in this run. */
  pass: boolean | null;
}

export interface TargetInput {
  workloads: WorkloadResult[];
  coldStart: Measurement[] | null;
  validate: Measurement | null;
  longRun: LongRunResult | null;
  scaling: Measurement[] | null;
}

const fmtS = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;

function find(ms: Measurement[] | null | undefined, key: string): Measurement | undefined {
  return ms?.find((m) => m.key === key);
}

/** flowrun's median wall time over the baseline's at the same size, or an explanation. */
export function wallRatio(
  workload: WorkloadResult | undefined,
  key: 'flowrun' | 'flowrun-params' = 'flowrun',
): { ratio: number | null; why: string } {
  if (!workload) return { ratio: null, why: 'not measured' };
  const flowrun = find(workload.measurements, key);
  const baseline = find(workload.measurements, 'baseline');
  if (!flowrun) return { ratio: null, why: workload.skipped[key] ?? 'flowrun not measured' };
  if (flowrun.error || !flowrun.summary.wallMs) return { ratio: null, why: 'flowrun failed' };
  if (!baseline?.summary.wallMs) return { ratio: null, why: 'baseline not measured' };
  return { ratio: flowrun.summary.wallMs.median / baseline.summary.wallMs.median, why: '' };
}

/**
 * The wall-time goals are judged on N scenario instances of one file (`parameters:`), the same
 * shape as Step CI's one workflow with N tests and Newman's `-n N`; the N-files row is shown
 * next to it, since loading N files is a cost of its own.
 */
function ratioTarget(id: string, size: number, bound: number, input: TargetInput): Target {
  const goal = `N=${size}: wall ≤ ${bound}× baseline`;
  const workload = input.workloads.find((w) => w.size === size);
  const params = wallRatio(workload, 'flowrun-params');
  const files = wallRatio(workload, 'flowrun');
  const judged = params.ratio !== null || params.why === 'flowrun failed' ? params : files;
  const { ratio, why } = judged;
  if (ratio === null) return { id, goal, measured: why, pass: why === 'flowrun failed' ? false : null };
  const measured =
    judged === params
      ? `${ratio.toFixed(2)}× (parameters:)${files.ratio !== null ? `; N files ${files.ratio.toFixed(2)}×` : ''}`
      : `${ratio.toFixed(2)}× (N files)`;
  return { id, goal, measured, pass: ratio <= bound };
}

export function evaluateTargets(input: TargetInput): Target[] {
  const targets: Target[] = [];
  targets.push(ratioTarget('n2000-wall', 2000, 1.5, input));

  // Peak RSS: the worst run of either flowrun row.
  const rows = ['flowrun', 'flowrun-params']
    .map((key) => find(input.workloads.find((w) => w.size === 2000)?.measurements, key))
    .filter((m): m is Measurement => m !== undefined);
  const worst = Math.max(...rows.map((m) => m.summary.rssMiB?.max ?? 0));
  const failedRow = rows.some((m) => m.error || !m.summary.rssMiB);
  targets.push({
    id: 'n2000-rss',
    goal: 'N=2000: peak RSS ≤ 150 MiB (worst run)',
    measured: failedRow ? 'flowrun failed' : rows.length ? `${worst.toFixed(0)} MiB` : 'not measured',
    pass: failedRow ? false : rows.length ? worst <= 150 : null,
  });

  targets.push(ratioTarget('n200-wall', 200, 2, input));

  const cold = find(input.coldStart, 'flowrun');
  targets.push({
    id: 'cold-start',
    goal: 'cold start (--version) ≤ 0.15 s',
    measured: cold?.summary.wallMs ? fmtS(cold.summary.wallMs.median) : cold ? 'failed' : 'not measured',
    pass: cold?.summary.wallMs ? cold.summary.wallMs.median <= 150 : cold ? false : null,
  });

  const validate = input.validate;
  targets.push({
    id: 'validate-1000',
    goal: 'validate 1,000 files ≤ 1 s',
    measured: validate?.summary.wallMs
      ? fmtS(validate.summary.wallMs.median)
      : validate
        ? 'failed'
        : 'not measured',
    pass: validate?.summary.wallMs ? validate.summary.wallMs.median <= 1000 : validate ? false : null,
  });

  const long = input.longRun;
  targets.push({
    id: 'long-run-rss',
    goal: `N=${long?.n ?? 20000}: peak RSS ≤ 300 MiB, JSON report written`,
    measured: long
      ? long.error
        ? 'failed'
        : `${(long.rssMiB ?? 0).toFixed(0)} MiB, report ${long.reportWritten ? 'written' : 'missing'}`
      : 'not measured',
    pass: long ? !long.error && long.rssMiB !== null && long.rssMiB <= 300 && long.reportWritten : null,
  });

  const c1 = find(input.scaling, 'flowrun@1');
  const c8 = find(input.scaling, 'flowrun@8');
  const w1 = c1?.summary.wallMs?.median;
  const w8 = c8?.summary.wallMs?.median;
  targets.push({
    id: 'scaling',
    goal: 'N=2000: -c 8 faster than -c 1',
    measured:
      w1 && w8
        ? `${fmtS(w8)} vs ${fmtS(w1)} (${(w1 / w8).toFixed(2)}× speed-up)`
        : c1
          ? 'failed'
          : 'not measured',
    pass: w1 && w8 ? w8 < w1 : c1 || c8 ? false : null,
  });
  return targets;
}
