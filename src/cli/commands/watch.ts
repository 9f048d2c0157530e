import path from 'node:path';
import { ExitCode } from '../../errors.js';
import { executeRun, type KeptEnvironment } from '../../engine/run.js';
import { plan } from '../../engine/plan.js';
import { installInterruptHandler } from '../../engine/signals.js';
import { Multiplexer } from '../../report/multiplexer.js';
import { loadReporters } from '../../report/registry.js';
import { printReportFiles, reportFilesSince, snapshotReportFiles } from '../../report/written-files.js';
import { affectedScenarios } from '../../scenario/dependencies.js';
import type { Screen } from '../../types.js';
import { version } from '../../util/version.js';
import { prepare, projectContext } from './prepare.js';
import { resolveSettings } from './run.js';

/** Changes closer together than this are one batch (editors write a file in several steps). */
const SETTLE_MS = 150;
const WATCHED = /\.(ya?ml|json)$|(^|[\\/])\.env$/;
const CLEAR = '\u001b[2J\u001b[3J\u001b[H';

/**
 * `flowrun --watch [paths]`: runs the scenarios, then re-runs those a changed file affects (a
 * scenario, a flow it includes, a JSON Schema it checks against; everything for an environment,
 * the config, the matrix or .env). Services and mock servers stay up between runs; an environment
 * file change restarts them. Ctrl-C stops watching, stops them and exits.
 */
export async function watchCommand(
  paths: string[],
  o: Record<string, unknown>,
  screen: Screen,
  list: (v: unknown) => string[],
): Promise<number> {
  const { cwd, config } = await projectContext(o);
  const settings = resolveSettings(paths, o, config, cwd, list);
  const { watch } = await import('chokidar');
  const interrupt = installInterruptHandler(screen);
  const kept = new Map<string, KeptEnvironment>();
  let interruptedRun = false;

  const stopEnvironments = async () => {
    for (const [name, { resources }] of kept) {
      kept.delete(name);
      for (const e of await resources.close()) screen.err(`error: closing ${e.name}: ${e.error.message}`);
    }
  };

  const runOnce = async (changed?: string[]): Promise<void> => {
    if (screen.isTTY) screen.out(CLEAR);
    const prepared = await prepare(
      settings.paths,
      { env: settings.env, matrix: settings.matrix, overrides: settings.overrides },
      screen,
      cwd,
    );
    if (!prepared) {
      screen.err('watch: fix the errors above');
      return;
    }
    let selected = plan(prepared.loaded.scenarios, { tag: o.tag as string, grep: o.grep as string });
    if (changed) {
      const environmentFiles = prepared.environments.flatMap((e) =>
        e.file ? [path.resolve(cwd, e.file)] : [],
      );
      if (changed.some((f) => environmentFiles.includes(f))) await stopEnvironments();
      const shared = [
        ...environmentFiles,
        ...(config.file ? [config.file] : []),
        ...(prepared.matrixFile ? [prepared.matrixFile] : []),
        '.env',
      ];
      selected = affectedScenarios(selected, changed, cwd, shared);
      const names = changed.map((f) => path.relative(cwd, f)).join(', ');
      screen.out(
        `watch: ${names} changed: ${selected.length ? `re-running ${selected.length} scenario${selected.length === 1 ? '' : 's'}` : 'no scenario uses it'}`,
      );
    }
    if (!selected.length) return;
    const reporters = await loadReporters(settings.reporters, {
      outDir: settings.outDir,
      cwd,
      screen,
      matrixFile: prepared.matrixFile ? path.resolve(cwd, prepared.matrixFile) : undefined,
    });
    const mux = new Multiplexer(reporters);
    const reportsBefore = snapshotReportFiles(settings.outDir);
    const result = await executeRun(selected, prepared.environments, mux, {
      cwd,
      outDir: settings.outDir,
      concurrency: settings.concurrency,
      bail: o.bail === true,
      overrides: settings.overrides,
      allowWrites: o.allowWrites === true,
      onNotice: (message) => screen.err(`note: ${message}`),
      retries: settings.retries,
      scenarioTimeoutMs: settings.scenarioTimeoutMs,
      signal: interrupt.signal,
      version: version(),
      keptEnvironments: kept,
    });
    result.errors.push(...mux.errors);
    const before = mux.errors.length;
    await mux.onEnd(result);
    for (const e of mux.errors.slice(before)) screen.err(`error: ${e.message}`);
    if (result.interrupted) interruptedRun = true;
    if (settings.reporters.includes('console'))
      printReportFiles(screen, reportFilesSince(settings.outDir, cwd, reportsBefore), cwd);
  };
  const waiting = () => {
    if (!interrupt.signal.aborted) screen.out('watch: waiting for changes (Ctrl-C to stop)');
  };

  // One run at a time; changes that arrive meanwhile are batched into the next one.
  let queue: Promise<void> = Promise.resolve();
  let batch = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const schedule = (file: string) => {
    if (interrupt.signal.aborted) return;
    batch.add(path.resolve(cwd, file));
    clearTimeout(timer);
    timer = setTimeout(() => {
      const changed = [...batch].sort();
      batch = new Set();
      queue = queue
        .then(() => runOnce(changed))
        .catch((error: Error) => screen.err(`error: ${error.message}`))
        .then(waiting);
    }, SETTLE_MS);
  };

  const outDir = path.resolve(cwd, settings.outDir);
  const watcher = watch(cwd, {
    ignoreInitial: true,
    ignored: (file: string, stats?: { isFile(): boolean }) => {
      const abs = path.resolve(cwd, file);
      if (abs === outDir || abs.startsWith(outDir + path.sep)) return true;
      if (/[\\/](node_modules|\.git)([\\/]|$)/.test(abs)) return true;
      return Boolean(stats?.isFile()) && !WATCHED.test(abs);
    },
  });
  for (const event of ['add', 'change', 'unlink'] as const) watcher.on(event, schedule);
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));

  try {
    queue = runOnce();
    await Promise.all([queue, ready]);
    waiting();
    await new Promise<void>((resolve) => {
      if (interrupt.signal.aborted) resolve();
      else interrupt.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    clearTimeout(timer);
    await queue;
  } finally {
    await watcher.close();
    await stopEnvironments();
    screen.err('watch: stopped; services and mock servers are down');
    interrupt.dispose();
  }
  return interruptedRun ? ExitCode.interrupted : ExitCode.ok;
}
