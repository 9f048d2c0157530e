import type { StepCheckIssue, StepKind } from '../types.js';

/** `redis:` steps: one command against an instance named in the environment's `redis:`. */
export const redisKind: StepKind = {
  kind: 'redis',
  requires: (config: { db?: unknown } | null) =>
    typeof config?.db === 'string' ? [`redis.${config.db}`] : [],

  check(config: unknown): StepCheckIssue[] {
    const command = (config as { command?: unknown } | null)?.command;
    if (typeof command === 'string') {
      return [
        {
          path: ['command'],
          message: `\`command\` is a list of the command and its arguments, e.g. [${command.trim().split(/\s+/).join(', ')}]`,
        },
      ];
    }
    return [];
  },

  describe(config: { db?: string; command?: unknown[] }): string {
    const command = Array.isArray(config?.command) ? config.command.slice(0, 3).map(String).join(' ') : '?';
    return `redis ${config?.db ?? '?'}: ${command}`;
  },

  load: () => import('./runner.js').then((m) => m.redisRunner),
};
