/**
 * Environment activation: renders an environment (its secrets, vars, mocks, services, baseUrl)
 * and starts what it needs, in order. Loading and validating the file is config's job
 * (config/environment.ts); this is the run-time half.
 */
import { FlowrunError, LoadError } from '../errors.js';
import path from 'node:path';
import type {
  ContractSettings,
  EnvironmentSource,
  MockServerConfig,
  ReadyCheck,
  ResolvedEnvironment,
  ServiceConfig,
} from '../model/environment.js';
import { renderValue, type Scope } from '../template/render.js';
import type { Location } from '../types.js';
import type { Resources } from '../util/resources.js';
import { parseDuration } from '../util/time.js';
import { version } from '../util/version.js';

export interface ActivateOptions {
  runId: string;
  cwd: string;
  outDir: string;
  resources: Resources;
  signal?: AbortSignal;
  /** --var values (they override the environment's vars). */
  overrides: Record<string, unknown>;
  /** Told about optional services that could not start. */
  onNotice?: (message: string) => void;
}

/**
 * Renders an environment and starts what it needs: mock servers first, then services in the
 * order written, then the readiness gate. What was started is stopped by `resources.close()`.
 */
export async function activateEnvironment(
  env: EnvironmentSource,
  options: ActivateOptions,
): Promise<ResolvedEnvironment> {
  const d = env.data;
  const loc = (p: (string | number)[], target?: 'key' | 'value'): Location | undefined =>
    env.source?.locate(p, target);
  const services: Record<string, { url?: string }> = {};
  const mocks: Record<string, MockServerConfig & { url?: string }> = {};
  const scope: Scope = {
    runId: options.runId,
    env: process.env,
    services,
    mocks,
    secrets: {},
    baseUrl: undefined,
  };
  const render = (value: unknown, at: (string | number)[]): unknown => {
    try {
      return renderValue(value, scope);
    } catch (error) {
      throw new LoadError(`${env.file ?? 'environment'}: ${(error as Error).message}`, {
        code: 'E_ENV',
        location: loc(at),
      });
    }
  };
  const secrets = render(d.secrets ?? {}, ['secrets']) as Record<string, unknown>;
  for (const [k, v] of Object.entries(secrets)) (scope.secrets as Record<string, string>)[k] = String(v);
  const vars: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((d.vars ?? {}) as Record<string, unknown>)) {
    vars[k] = k in options.overrides ? options.overrides[k] : render(v, ['vars', k]);
    scope[k] = vars[k];
  }
  for (const [k, v] of Object.entries(options.overrides)) {
    vars[k] = v;
    scope[k] = v;
  }

  const mockConfigs: Record<string, MockServerConfig> = {};
  for (const [name, cfg] of Object.entries((d.mocks ?? {}) as Record<string, Record<string, unknown>>)) {
    mockConfigs[name] = {
      name,
      ...(render(cfg, ['mocks', name]) as object),
      location: loc(['mocks', name], 'key'),
    };
  }
  if (Object.keys(mockConfigs).length) {
    const { startMockServers, MOCKS_RESOURCE } = await import('../mock/index.js');
    const drivers = await options.resources.get(MOCKS_RESOURCE, () =>
      startMockServers(mockConfigs, options.resources),
    );
    for (const [name, driver] of Object.entries(drivers))
      mocks[name] = { ...mockConfigs[name], url: driver.url };
  }

  const serviceList: ServiceConfig[] = Object.entries(
    (d.services ?? {}) as Record<string, Record<string, unknown>>,
  ).map(([name, cfg]) => ({
    name,
    ...(cfg as object),
    ready: cfg.ready
      ? readyCheck(cfg.ready as Record<string, unknown>, loc(['services', name, 'ready']))
      : undefined,
    location: loc(['services', name], 'key'),
  }));
  const unavailable: Record<string, string> = {};
  if (serviceList.length) {
    const { startServices } = await import('../services/index.js');
    // One at a time, so an optional service that cannot start does not stop the others.
    for (const service of serviceList) {
      try {
        await startServices([service], {
          render: (value) => renderValue(value, scope),
          servicesScope: services,
          outDir: options.outDir,
          resources: options.resources,
          signal: options.signal,
        });
      } catch (error) {
        if (service.optional !== true || options.signal?.aborted) throw error;
        const e = error as FlowrunError;
        unavailable[`services.${service.name}`] = `${e.message}${e.hint ? ` (${e.hint})` : ''}`;
        services[service.name] = { url: '' };
        options.onNotice?.(
          `optional service "${service.name}" is not available: ${e.message}${e.hint ? ` (${e.hint})` : ''}`,
        );
      }
    }
  }

  const baseUrl = d.baseUrl === undefined ? undefined : String(render(d.baseUrl, ['baseUrl']));
  scope.baseUrl = baseUrl;
  const http = (d.http ?? {}) as Record<string, unknown>;
  const keyLocations: Record<string, Location> = {};
  const named = (key: 'databases' | 'redis') => {
    const out: Record<string, { url: string; location?: Location }> = {};
    for (const [name, cfg] of Object.entries((d[key] ?? {}) as Record<string, { url: string }>)) {
      const location = loc([key, name], 'key');
      if (location) keyLocations[`${key}.${name}`] = location;
      out[name] = { url: String(render(cfg.url, [key, name, 'url'])), location };
      if (out[name].url === '') {
        // Its url came from an optional service that could not start.
        const from = Object.keys(unavailable).find((k) => String(cfg.url).includes(`${k}.`));
        unavailable[`${key}.${name}`] = from
          ? `${from} could not start: ${unavailable[from]}`
          : 'its url is empty';
      }
    }
    return out;
  };
  const resolved: ResolvedEnvironment = {
    name: env.name,
    file: env.file,
    baseUrl,
    vars,
    secrets: scope.secrets as Record<string, string>,
    http: {
      timeoutMs: parseDuration(http.timeout) ?? 30_000,
      headers: render(http.headers ?? {}, ['http', 'headers']) as Record<string, unknown> as Record<
        string,
        string
      >,
      insecure: http.insecure === true,
      followRedirects: http.followRedirects !== false,
      cookies: http.cookies !== false,
      userAgent:
        http.userAgent === undefined
          ? `flowrun/${version()}`
          : String(render(http.userAgent, ['http', 'userAgent'])),
    },
    databases: named('databases'),
    redis: named('redis'),
    mocks,
    services,
    waitFor: [],
    protected: d.protected === true,
    contract: contractSettings(env, options.cwd, (value, at) => String(render(value, at))),
    unavailable,
    keyLocations,
  };
  for (const [k, v] of Object.entries(resolved.http.headers)) resolved.http.headers[k] = String(v);
  // After databases and redis: `sql: main` names one of them.
  resolved.waitFor = ((d.waitFor ?? []) as Record<string, unknown>[]).map((c, i) =>
    readyCheck(
      namedReadyTarget(
        render(c, ['waitFor', i]) as Record<string, unknown>,
        resolved.databases,
        resolved.redis,
      ),
      loc(['waitFor', i]),
    ),
  );
  if (resolved.waitFor.length) await gate(resolved, options.signal);
  return resolved;
}

/** The check with a `sql:`/`redis:` name replaced by that database's URL. */
export function namedReadyTarget(
  check: Record<string, unknown>,
  databases: Record<string, { url: string }>,
  redis: Record<string, { url: string }>,
): Record<string, unknown> {
  const out = { ...check };
  if (typeof out.sql === 'string' && !out.sql.includes('://') && databases[out.sql])
    out.sql = databases[out.sql].url;
  if (typeof out.redis === 'string' && !out.redis.includes('://') && redis[out.redis])
    out.redis = redis[out.redis].url;
  return out;
}

/** A check as written in the environment file (`timeout`, `interval` as durations) -> ReadyCheck. */
/**
 * `openapi:` and `contract:` of the environment, else of flowrun.config.yaml; undefined when no
 * document is named or `contract: off`. A relative path is resolved from the file it is written in.
 */
export function contractSettings(
  env: EnvironmentSource,
  cwd: string,
  render: (value: unknown, at: (string | number)[]) => string,
): ContractSettings | undefined {
  const d = env.data;
  const defaults = env.contractDefaults;
  const own = d.openapi !== undefined;
  const raw = own ? d.openapi : defaults?.openapi;
  if (raw === undefined) return undefined;
  const contract = (d.contract ?? defaults?.contract) as
    string | { mode?: string; requests?: boolean } | undefined;
  const mode = (typeof contract === 'string' ? contract : contract?.mode) ?? 'fail';
  if (mode === 'off') return undefined;
  const spec = own ? render(raw, ['openapi']) : String(raw);
  const baseDir = own
    ? env.file
      ? path.dirname(path.resolve(cwd, env.file))
      : cwd
    : (defaults?.baseDir ?? cwd);
  const isUrl = /^https?:\/\//i.test(spec);
  return {
    spec,
    location: isUrl ? spec : path.resolve(baseDir, spec),
    mode: mode as ContractSettings['mode'],
    requests: typeof contract === 'object' && contract.requests === true,
    at: own ? env.source?.locate(['openapi']) : defaults?.at,
  };
}

export function readyCheck(raw: Record<string, unknown>, location?: Location): ReadyCheck {
  return {
    ...(raw as Partial<ReadyCheck>),
    timeoutMs: parseDuration(raw.timeout) ?? 30_000,
    intervalMs: parseDuration(raw.interval) ?? 250,
    location,
  };
}

async function gate(env: ResolvedEnvironment, signal?: AbortSignal): Promise<void> {
  const { waitForReady } = await import('../services/ready.js');
  const result = await waitForReady(env.waitFor, { signal });
  if (result.ok) return;
  const lines = result.failures.map(
    (f) => `  - ${f.target}: not ready after ${f.attempts} attempt(s): ${f.error}`,
  );
  throw new FlowrunError(`environment "${env.name}" is not ready:\n${lines.join('\n')}`, {
    code: 'E_NOT_READY',
    location: result.failures[0]?.check.location,
  });
}
