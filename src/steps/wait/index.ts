import { parseDuration } from '../../util/time.js';
import type { StepCheckIssue, StepKind } from '../types.js';
import { waitConfig } from './config.js';

/**
 * `wait:` steps: a pause (a cache to expire, a rate limit window to pass). It sleeps with the
 * engine's sleep, so the scenario's deadline and Ctrl-C cut it short.
 */
export const waitKind: StepKind = {
  kind: 'wait',

  check(config: unknown): StepCheckIssue[] {
    const { duration } = waitConfig(config);
    const templated = typeof duration === 'string' && duration.includes('{{');
    if (!templated && parseDuration(duration) === undefined)
      return [
        {
          path: typeof config === 'object' && config !== null ? ['duration'] : [],
          message: `wait needs a duration such as 500ms, 2s or 1m, not ${JSON.stringify(duration ?? null)}`,
        },
      ];
    return [];
  },

  describe(config: unknown): string {
    const { duration, reason } = waitConfig(config);
    return `wait ${String(duration)}${reason ? ` (${reason})` : ''}`;
  },

  load: () => import('./runner.js').then((m) => m.waitRunner),
};
