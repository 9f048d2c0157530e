// The benchmark harness: `npm run bench -- [options]` (see bench/README.md).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { measure } from './lib/measure.js';
import { parseOptions, USAGE, type Options } from './lib/options.js';
import {
  BENCH_DIR,
  BENCH_MODULES,
  REPORTS_DIR,
  ROOT_DIR,
  WORK_DIR,
  benchPackageVersion,
} from './lib/paths.js';
import {
  autocannonPhase,
  coldStartPhase,
  longRunPhase,
  scalingPhase,
  validatePhase,
  workloadPhase,
} from './lib/phases.js';
import { machineInfo, renderMarkdown, type BenchResult, type QuickGate } from './lib/report.js';
import { startServer } from './lib/target-server.js';
import { evaluateTargets, wallRatio } from './lib/targets.js';
import { TOOLS, flowrunUnavailable } from './lib/tools.js';
import { writeFlowrunEnvironment } from './lib/workloads.js';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

function sh(cmd: string, args: string[], cwd: string): void {
  log(`$ ${cmd} ${args.join(' ')}`);
  const res = spawnSync(cmd, args, { cwd, stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${res.status}`);
}

/** Installs the peers when needed and builds flowrun when dist/ is missing. */
function bootstrap(opts: Options): void {
  const needPeers = opts.tools.some((t) => TOOLS[t].peer) || opts.phases.includes('autocannon');
  if (needPeers && !opts.quick && !existsSync(BENCH_MODULES))
    sh('npm', ['--prefix', BENCH_DIR, 'install'], ROOT_DIR);
  if (opts.tools.some((t) => t.startsWith('flowrun')) && flowrunUnavailable()) {
    try {
      sh('npm', ['run', 'build'], ROOT_DIR);
    } catch (error) {
      log(`flowrun could not be built: ${(error as Error).message}`);
    }
  }
}

/** The commit measured: dist/ is built from the working tree, so say when it differs from HEAD. */
function gitDescription(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT_DIR, encoding: 'utf8' });
  if (head.status !== 0) return 'no git';
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no', '--', 'src'], {
    cwd: ROOT_DIR,
    encoding: 'utf8',
  });
  return `git ${head.stdout.trim()}${dirty.stdout.trim() ? ', src/ modified' : ''}`;
}

async function flowrunVersion(): Promise<string | null> {
  if (flowrunUnavailable()) return null;
  const sample = await measure(TOOLS.flowrun.versionCommand());
  const version =
    sample.exitCode === 0 ? sample.stdout.trim() : `unknown (--version exited ${sample.exitCode})`;
  return `${version} (${gitDescription()})`;
}

function quickGate(result: BenchResult, maxRatio: number): QuickGate {
  let worst: number | null = null;
  for (const w of result.workloads) {
    const flowrun = w.measurements.find((m) => m.key === 'flowrun');
    if (!flowrun)
      return { ratio: null, maxRatio, pass: false, reason: w.skipped.flowrun ?? 'flowrun not measured' };
    if (flowrun.error)
      return { ratio: null, maxRatio, pass: false, reason: `flowrun failed: ${flowrun.error}` };
    const { ratio, why } = wallRatio(w);
    if (ratio === null) return { ratio: null, maxRatio, pass: false, reason: why };
    worst = Math.max(worst ?? 0, ratio);
  }
  if (worst === null) return { ratio: null, maxRatio, pass: false, reason: 'nothing measured' };
  return {
    ratio: worst,
    maxRatio,
    pass: worst <= maxRatio,
    reason: worst <= maxRatio ? 'within bound' : `flowrun is ${worst.toFixed(2)}× slower than the baseline`,
  };
}

async function main(): Promise<number> {
  const parsed = parseOptions(process.argv.slice(2));
  if (parsed === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const opts = parsed;
  bootstrap(opts);
  mkdirSync(WORK_DIR, { recursive: true });
  mkdirSync(REPORTS_DIR, { recursive: true });

  const server = await startServer();
  const ctx = { baseUrl: server.baseUrl, concurrency: opts.concurrency };
  writeFlowrunEnvironment(join(WORK_DIR, 'flowrun'), server.baseUrl);
  log(`target server at ${server.baseUrl}`);

  const result: BenchResult = {
    generatedAt: new Date().toISOString(),
    mode: opts.quick ? 'quick' : 'full',
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine: machineInfo(),
    versions: {
      flowrun: (await flowrunVersion()) ?? 'not built',
      baseline: `node ${process.version}`,
      ...(opts.quick
        ? {}
        : {
            stepci: TOOLS.stepci.packageVersion!(),
            newman: benchPackageVersion('newman'),
            autocannon: benchPackageVersion('autocannon'),
          }),
    },
    options: {
      runs: opts.runs,
      concurrency: opts.concurrency,
      sizes: opts.sizes,
      tools: opts.tools,
      phases: opts.phases,
    },
    workloads: [],
    coldStart: null,
    validate: null,
    longRun: null,
    scaling: null,
    autocannon: null,
    targets: [],
    quickGate: null,
  };
  const flowrunSelected = opts.tools.includes('flowrun') && !flowrunUnavailable();

  try {
    if (opts.phases.includes('workload')) {
      for (const size of opts.sizes) {
        result.workloads.push(await workloadPhase(opts.tools, size, opts.runs, ctx, server));
      }
    }
    if (opts.phases.includes('cold')) result.coldStart = await coldStartPhase(opts.tools, opts.runs);
    if (opts.phases.includes('validate') && flowrunSelected) {
      result.validate = await validatePhase(opts.validateN, opts.runs);
    }
    if (opts.phases.includes('scaling') && flowrunSelected) {
      const measurements = await scalingPhase(
        opts.tools,
        opts.scalingN,
        opts.scalingLevels,
        opts.runs,
        server.baseUrl,
        server,
      );
      result.scaling = { n: opts.scalingN, levels: opts.scalingLevels, measurements };
    }
    if (opts.phases.includes('long') && flowrunSelected) {
      result.longRun = await longRunPhase(opts.longN, ctx, server);
    }
    if (opts.phases.includes('autocannon')) {
      result.autocannon = await autocannonPhase(server.baseUrl, opts.concurrency, opts.autocannonSeconds);
    }
  } finally {
    await server.stop();
  }

  result.machine.loadAverageEnd = loadavg()[0];
  if (opts.quick) result.quickGate = quickGate(result, opts.maxRatio);
  else result.targets = evaluateTargets({ ...result, scaling: result.scaling?.measurements ?? null });

  const base = join(REPORTS_DIR, opts.out);
  writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
  const markdown = renderMarkdown(result);
  writeFileSync(`${base}.md`, markdown);
  process.stdout.write(`\n${markdown}`);
  log(`wrote ${base}.json and ${base}.md`);

  if (result.quickGate && !result.quickGate.pass) {
    log(`regression gate failed: ${result.quickGate.reason}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(2);
  },
);
