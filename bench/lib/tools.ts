// One adapter per tool: how to get its version, how to cold-start it and how
// to run the workload of N scenarios against the target server.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command, Sample } from './measure.js';
import { BENCH_DIR, FLOWRUN_BIN, ROOT_DIR, WORK_DIR, benchPackageBin, benchPackageVersion } from './paths.js';
import {
  writeFlowrunParameterised,
  writeFlowrunScenarios,
  writeNewmanCollection,
  writeStepciWorkflow,
} from './workloads.js';

export type ToolId = 'flowrun' | 'flowrun-params' | 'baseline' | 'stepci' | 'newman';

export interface RunContext {
  baseUrl: string;
  concurrency: number;
}

/** A prepared workload run: the command, a reset before each run, a check after it. */
export interface PreparedRun {
  command: Command;
  /** Concurrency the tool actually uses (1 for sequential-only tools). */
  concurrency: number;
  beforeEach?: () => void;
  /** Returns an error message when the run did not do what it should. */
  check?: (sample: Sample) => string | null;
}

export interface Tool {
  id: ToolId;
  label: string;
  /** Needs stepci/newman from bench/node_modules. */
  peer: boolean;
  unavailable(): string | null;
  versionCommand(): Command;
  /** Version read from package metadata when the CLI's own output is not needed. */
  packageVersion?(): string | null;
  prepare(n: number, ctx: RunContext): PreparedRun;
}

const node = process.execPath;
const STEPCI_ENV = { STEPCI_DISABLE_ANALYTICS: '1', NO_COLOR: '1', FORCE_COLOR: '0' };
const flowrunDir = join(WORK_DIR, 'flowrun');

const prepared = new Set<string>();
/** Generates a workload once per harness run (files do not depend on the server port). */
function once(key: string, generate: () => void): void {
  if (prepared.has(key)) return;
  generate();
  prepared.add(key);
}

function jsonReportCheck(out: string): (sample: Sample) => string | null {
  return () => {
    const files = existsSync(out) ? readdirSync(out).filter((f) => f.endsWith('.json')) : [];
    if (files.length === 0) return `no JSON report written in ${out}`;
    if (files.every((f) => statSync(join(out, f)).size === 0)) return `empty JSON report in ${out}`;
    return null;
  };
}

function flowrunRun(dirName: string, n: number, ctx: RunContext): PreparedRun {
  const out = join(flowrunDir, `out-${dirName}`);
  return {
    command: {
      cmd: node,
      args: [FLOWRUN_BIN, dirName, '--env', 'bench', '-c', String(ctx.concurrency), '-r', 'json', '-o', out],
      cwd: flowrunDir,
      env: { NO_COLOR: '1' },
    },
    concurrency: ctx.concurrency,
    beforeEach: () => {
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out, { recursive: true });
    },
    check: jsonReportCheck(out),
  };
}

export const flowrunUnavailable = (): string | null =>
  existsSync(join(ROOT_DIR, 'dist', 'cli', 'main.js')) ? null : 'dist/cli/main.js missing (npm run build)';

const flowrun: Tool = {
  id: 'flowrun',
  label: 'flowrun',
  peer: false,
  unavailable: flowrunUnavailable,
  versionCommand: () => ({ cmd: node, args: [FLOWRUN_BIN, '--version'], cwd: ROOT_DIR }),
  prepare(n, ctx) {
    const dirName = `n-${n}`;
    once(`flowrun-${n}`, () => writeFlowrunScenarios(join(flowrunDir, dirName), n));
    return flowrunRun(dirName, n, ctx);
  },
};

const flowrunParams: Tool = {
  ...flowrun,
  id: 'flowrun-params',
  label: 'flowrun (parameters:)',
  prepare(n, ctx) {
    const dirName = `params-${n}`;
    once(`flowrun-params-${n}`, () => writeFlowrunParameterised(join(flowrunDir, dirName), n));
    return flowrunRun(dirName, n, ctx);
  },
};

const baselineScript = join(BENCH_DIR, 'baseline-client.js');
const baseline: Tool = {
  id: 'baseline',
  label: 'baseline (node:http)',
  peer: false,
  unavailable: () => null,
  versionCommand: () => ({ cmd: node, args: [baselineScript, '--version'], cwd: BENCH_DIR }),
  packageVersion: () => `node ${process.version}`,
  prepare: (n, ctx) => ({
    command: {
      cmd: node,
      args: [baselineScript, '--url', ctx.baseUrl, '-n', String(n), '-c', String(ctx.concurrency)],
      cwd: BENCH_DIR,
    },
    concurrency: ctx.concurrency,
  }),
};

const stepciBin = (): string | null => benchPackageBin('stepci', 'stepci');
const stepci: Tool = {
  id: 'stepci',
  label: 'Step CI',
  peer: true,
  unavailable: () => (stepciBin() ? null : 'stepci not installed (npm --prefix bench install)'),
  versionCommand: () => ({ cmd: node, args: [stepciBin()!, '--version'], cwd: BENCH_DIR, env: STEPCI_ENV }),
  packageVersion: () => `${benchPackageVersion('stepci')} (runner ${benchPackageVersion('@stepci/runner')})`,
  prepare(n, ctx) {
    const file = join(WORK_DIR, 'stepci', `n-${n}.yml`);
    once(`stepci-${n}`, () => {
      mkdirSync(join(WORK_DIR, 'stepci'), { recursive: true });
      writeStepciWorkflow(file, n);
    });
    return {
      command: {
        cmd: node,
        args: [
          stepciBin()!,
          'run',
          file,
          '-e',
          `host=${ctx.baseUrl}`,
          '--concurrency',
          String(ctx.concurrency),
        ],
        cwd: join(WORK_DIR, 'stepci'),
        env: STEPCI_ENV,
      },
      concurrency: ctx.concurrency,
    };
  },
};

const newmanBin = (): string | null => benchPackageBin('newman', 'newman');
const newman: Tool = {
  id: 'newman',
  label: 'Newman',
  peer: true,
  unavailable: () => (newmanBin() ? null : 'newman not installed (npm --prefix bench install)'),
  versionCommand: () => ({ cmd: node, args: [newmanBin()!, '--version'], cwd: BENCH_DIR }),
  packageVersion: () => benchPackageVersion('newman'),
  prepare(n, ctx) {
    const dir = join(WORK_DIR, 'newman');
    const file = join(dir, 'collection.json');
    const report = join(dir, 'report.json');
    once('newman', () => {
      mkdirSync(dir, { recursive: true });
      writeNewmanCollection(file);
    });
    return {
      command: {
        cmd: node,
        args: [
          newmanBin()!,
          'run',
          file,
          '-n',
          String(n),
          '--env-var',
          `baseUrl=${ctx.baseUrl}`,
          '-r',
          'json',
          '--reporter-json-export',
          report,
        ],
        cwd: dir,
      },
      // Newman runs iterations one after another; it has no concurrency option.
      concurrency: 1,
      beforeEach: () => rmSync(report, { force: true }),
    };
  },
};

export const TOOLS: Record<ToolId, Tool> = {
  flowrun,
  'flowrun-params': flowrunParams,
  baseline,
  stepci,
  newman,
};

export const DEFAULT_TOOLS: ToolId[] = ['flowrun', 'flowrun-params', 'baseline', 'stepci', 'newman'];
export const QUICK_TOOLS: ToolId[] = ['flowrun', 'baseline'];

/** Writes N scenario files for `flowrun validate` and returns the command. */
export function validateCommand(n: number): Command {
  const dirName = `validate-${n}`;
  once(dirName, () => writeFlowrunScenarios(join(flowrunDir, dirName), n));
  return { cmd: node, args: [FLOWRUN_BIN, 'validate', dirName], cwd: flowrunDir, env: { NO_COLOR: '1' } };
}
