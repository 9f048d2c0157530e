import { cac } from 'cac';
import { ExitCode, FlowrunError, UsageError } from '../errors.js';
import { printErrors } from './print-error.js';
import { createScreen } from './screen.js';
import { version } from '../util/version.js';

const list = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v])
    .flatMap((x) => String(x).split(','))
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * cac registers boolean flags under their camelCased name, so its parser does not know
 * `--allow-writes` is a boolean and would swallow the next argument (`--allow-writes a.yaml`
 * took a.yaml as the flag's value). Spelling it camelCased before parsing avoids that.
 */
const KEBAB_BOOLEANS: Record<string, string> = { '--allow-writes': '--allowWrites' };
const camelBooleans = (arg: string): string => KEBAB_BOOLEANS[arg] ?? arg;

/**
 * The commands and options (docs/cli.md is checked against them). Commands are loaded on demand
 * so `--version` and `--help` stay fast.
 */
export function defineCli(screen: ReturnType<typeof createScreen>): ReturnType<typeof cac> {
  const cli = cac('flowrun');
  cli
    .command('[...paths]', 'Run scenarios (default: scenarios/)')
    .option('-e, --env <names>', 'Environment(s) from environments/<name>.yaml, comma-separated')
    .option('-t, --tag <expr>', 'Tag expression, e.g. "smoke and not slow"')
    .option('-g, --grep <text>', 'Only scenarios whose name contains this text (or matches it as a regex)')
    // No cac defaults here: an absent flag falls back to flowrun.config.yaml, then to the default.
    .option(
      '-r, --reporter <list>',
      'Reporters: console,json,ndjson,junit,html,matrix,markdown or a module path (default: console,json)',
    )
    .option('-o, --out <dir>', 'Report folder (default: reports)')
    .option('-c, --concurrency <n>', 'Scenarios in parallel (default: 1)')
    .option('--bail', 'Stop after the first failed scenario')
    .option('--shard <i/n>', 'Run one slice of the scenarios, e.g. 2/4')
    .option('--var <k=v>', 'Override a variable (repeatable)')
    .option('--min-success-rate <pct>', 'Pass if at least this share of scenarios passed')
    .option('--min-api-coverage <pct>', 'Fail when fewer OpenAPI operations were exercised (percent)')
    .option('--coverage', 'List every OpenAPI operation under the API coverage line')
    .option('--allow-writes', 'Allow scenarios with writes: true on protected environments')
    .option('--retries <n>', 'Re-run a failed scenario up to n times (a pass on retry is flaky)')
    .option('--timeout <duration>', 'Default deadline per scenario (e.g. 2m)')
    .option('--run-timeout <duration>', 'Deadline for the whole run')
    .option(
      '--exchanges <which>',
      'Keep request/response details of all steps or only failed ones (all|failed; default: all up to 500 scenarios)',
    )
    .option('--matrix <file>', 'Integration matrix file (default: integration-matrix.yaml when present)')
    .option('--config <file>', 'Project config file (default: flowrun.config.yaml when present)')
    .option('--debug', 'Print stack traces of internal errors')
    .option(
      '-w, --watch',
      'Re-run the affected scenarios when a file changes; services stay up (Ctrl-C stops)',
    )
    .action(async (paths: string[], options: Record<string, unknown>) => {
      if (options.watch) {
        const { watchCommand } = await import('./commands/watch.js');
        return watchCommand(paths, options, screen, list);
      }
      const { runCommand } = await import('./commands/run.js');
      return runCommand(paths, options, screen, list);
    });
  cli
    .command('validate [...paths]', 'Check scenario and environment files against the schemas; run nothing')
    .option('-e, --env <names>', 'Also validate these environments')
    .option('--matrix <file>', 'Integration matrix file')
    .option('--config <file>', 'Project config file (default: flowrun.config.yaml when present)')
    .action(async (paths: string[], options: Record<string, unknown>) => {
      const { validateCommand } = await import('./commands/validate.js');
      return validateCommand(paths, options, screen, list);
    });
  cli
    .command('list [...paths]', 'List scenarios with their tags and covered points')
    .option('-t, --tag <expr>', 'Tag expression')
    .option('-g, --grep <text>', 'Name filter')
    .option('--json', 'Print JSON')
    .option('--config <file>', 'Project config file (default: flowrun.config.yaml when present)')
    .action(async (paths: string[], options: Record<string, unknown>) => {
      const { listCommand } = await import('./commands/list.js');
      return listCommand(paths, options, screen, list);
    });
  cli
    .command('matrix [...paths]', 'Integration matrix coverage from the files alone (runs nothing)')
    .option('--matrix <file>', 'Integration matrix file (default: integration-matrix.yaml)')
    .option('-e, --env <names>', 'Environments whose variables the scenarios use')
    .option('--config <file>', 'Project config file (default: flowrun.config.yaml when present)')
    .option('--fail-on-uncovered', 'Exit 1 when a point has no scenario')
    .action(async (paths: string[], options: Record<string, unknown>) => {
      const { matrixCommand } = await import('./commands/matrix.js');
      return matrixCommand(paths, options, screen, list);
    });
  cli
    .command(
      'merge <...reports>',
      'Combine shard results (flowrun.ndjson or flowrun.json files) into one report',
    )
    .option('-r, --reporter <list>', 'Reporters (default: console,json)')
    .option('-o, --out <dir>', 'Report folder (default: reports)')
    .option('--matrix <file>', 'Integration matrix file (default: integration-matrix.yaml when present)')
    .option('--min-success-rate <pct>', 'Pass if at least this share of scenarios passed')
    .option('--min-api-coverage <pct>', 'Fail when fewer OpenAPI operations were exercised (percent)')
    .option('--coverage', 'List every OpenAPI operation under the API coverage line')
    .option('--config <file>', 'Project config file (default: flowrun.config.yaml when present)')
    .action(async (reports: string[], options: Record<string, unknown>) => {
      const { mergeCommand } = await import('./commands/merge.js');
      return mergeCommand(reports, options, screen, list);
    });
  cli
    .command('init', 'Scaffold a flowrun project in the current folder (scenarios, environment, config, CI)')
    .option('--base-url <url>', 'baseUrl of environments/local.yaml (default: http://localhost:3000)')
    .option('--force', 'Replace files that already exist')
    .action(async (options: { baseUrl?: string; force?: boolean }) => {
      const { initCommand } = await import('./commands/init.js');
      return initCommand(options, screen);
    });
  cli
    .command('coverage <report>', 'API coverage of a previous run (flowrun.json or flowrun.ndjson)')
    .option('--json', 'Print JSON')
    .option('--min-api-coverage <pct>', 'Exit 1 below this percentage')
    .action(async (report: string, options: Record<string, unknown>) => {
      const { coverageCommand } = await import('./commands/coverage.js');
      return coverageCommand(report, options, screen);
    });
  cli
    .command(
      'import <kind> <source>',
      'Write flowrun YAML from an OpenAPI document, a Postman collection or a curl command',
    )
    .option('--out <dir>', 'Folder to write into (default: scenarios/<kind>)')
    .option('--env <file>', 'postman: a Postman environment file')
    .option('--force', 'Overwrite existing files')
    .action(async (kind: string, source: string, options: Record<string, unknown>) => {
      const { importCommand } = await import('./commands/import.js');
      return importCommand(kind, source, options, screen);
    });
  cli
    .command('mock <file>', 'Run a standalone mock server (MockServer-compatible control API)')
    .option('--port <n>', 'Port', { default: 1080 })
    .option('--host <host>', 'Address to bind', { default: '127.0.0.1' })
    .action(async (file: string, options: { port: number; host: string }) => {
      const { serveMock } = await import('./commands/serve-mock.js');
      return serveMock(file, options, screen);
    });
  cli.help();
  cli.version(version());
  return cli;
}

/** The command line. */
export async function main(argv: string[]): Promise<number> {
  const screen = createScreen();
  const cli = defineCli(screen);
  let code: number;
  try {
    cli.parse(['node', 'flowrun', ...argv.map(camelBooleans)], { run: false });
    if (cli.options.help || cli.options.version) return ExitCode.ok;
    const result = await cli.runMatchedCommand();
    code = typeof result === 'number' ? result : ExitCode.ok;
  } catch (error) {
    code = handleError(error, screen, argv.includes('--debug'));
  }
  return code;
}

/** The one place that maps errors to exit codes. */
export function handleError(error: unknown, screen: ReturnType<typeof createScreen>, debug: boolean): number {
  if (error instanceof FlowrunError) {
    printErrors(screen, [error]);
    if (debug && error.stack) screen.err(error.stack);
    return error.exitCode;
  }
  const e = error as Error & { name?: string };
  if (e?.name === 'CACError') {
    printErrors(screen, [new UsageError(e.message, 'see flowrun --help')]);
    return ExitCode.invalidInput;
  }
  screen.err(`internal error: ${e?.message ?? String(error)}`);
  screen.err(debug ? (e?.stack ?? '') : 'run again with --debug for the stack trace, and please report it');
  return ExitCode.internal;
}
