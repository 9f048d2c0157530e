import type { StepCheckIssue, StepKind } from '../types.js';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `verify:` steps: how often a mock expectation (`mock: id`) or an inline request matcher
 * (`server` + `request`) was called during the scenario, optionally waiting `within` a deadline.
 */
export const verifyKind: StepKind = {
  kind: 'verify',
  expectNames: ['request'],

  mockServers(config: { server?: string; mock?: string } | null, scenario) {
    const servers: string[] = [];
    if (typeof config?.server === 'string') servers.push(config.server);
    const m = config?.mock ? scenario.mocks.find((x) => x.id === config.mock) : undefined;
    if (m) servers.push(m.server);
    return servers;
  },

  check(config: unknown): StepCheckIssue[] {
    if (!isObject(config))
      return [{ path: [], message: 'verify: expected an object with mock or server + request' }];
    const issues: StepCheckIssue[] = [];
    const hasMock = config.mock !== undefined;
    const hasRequest = config.request !== undefined;
    if (!hasMock && !hasRequest) {
      issues.push({
        path: [],
        message: 'verify needs either mock: <expectation id> or server: <mock server> with request: { ... }',
      });
    }
    if (hasMock && hasRequest) {
      issues.push({ path: ['request'], message: 'give either mock or request, not both' });
    }
    if (hasRequest && config.server === undefined) {
      issues.push({
        path: ['server'],
        message: 'request: needs server: <mock server name from the environment>',
      });
    }
    const times = config.times;
    if (isObject(times)) {
      if (times.exactly !== undefined && (times.atLeast !== undefined || times.atMost !== undefined)) {
        issues.push({ path: ['times'], message: 'times.exactly cannot be combined with atLeast or atMost' });
      }
      for (const [k, v] of Object.entries(times)) {
        if (!['exactly', 'atLeast', 'atMost'].includes(k)) {
          issues.push({ path: ['times', k], message: `unknown key "${k}" (use exactly, atLeast or atMost)` });
        } else if (typeof v === 'number' && (!Number.isInteger(v) || v < 0)) {
          issues.push({ path: ['times', k], message: `${k} must be a whole number >= 0` });
        }
      }
    }
    return issues;
  },

  describe(config: { mock?: string; server?: string; request?: { method?: string; path?: string } }): string {
    if (config?.mock) return `verify mock ${config.mock}`;
    const r = config?.request ?? {};
    return `verify ${config?.server ?? '?'} ${r.method ?? 'ANY'} ${r.path ?? '*'}`;
  },

  load: () => import('./runner.js').then((m) => m.verifyRunner),
};
