import type { StepCheckIssue, StepKind } from '../types.js';

/** The first line of a query, whitespace collapsed, shortened for step names. */
function summarize(query: string, max = 60): string {
  const flat = query.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * `sql:` steps: one statement against a database named in the environment's `databases:`,
 * values always bound as parameters.
 */
export const sqlKind: StepKind = {
  kind: 'sql',
  // Never rendered: the loader must not treat `{{` in SQL as a template (check() refuses it).
  literalKeys: ['query'],
  requires: (config: { db?: unknown } | null) =>
    typeof config?.db === 'string' ? [`databases.${config.db}`] : [],

  check(config: unknown): StepCheckIssue[] {
    const query = (config as { query?: unknown } | null)?.query;
    if (typeof query === 'string' && /\{\{/.test(query)) {
      return [
        {
          path: ['query'],
          message:
            'templates ({{...}}) are not allowed in `query`: SQL is never built by splicing text. ' +
            'Write a placeholder ($1, $2, ...) and put the value in `params`, e.g. ' +
            'query: SELECT * FROM users WHERE email = $1 with params: ["{{email}}"]',
        },
      ];
    }
    return [];
  },

  describe(config: { db?: string; query?: string }): string {
    return `sql ${config?.db ?? '?'}: ${summarize(String(config?.query ?? ''))}`;
  },

  load: () => import('./runner.js').then((m) => m.sqlRunner),
};
