import type { StepKind } from '../types.js';

export const httpKind: StepKind = {
  kind: 'http',
  describe: (config: { method?: string; url?: string }) =>
    `${(config.method ?? 'GET').toUpperCase()} ${config.url ?? ''}`,
  load: () => import('./runner.js').then((m) => m.httpRunner),
};
