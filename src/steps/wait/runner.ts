import { StepError } from '../../errors.js';
import { formatMs, parseDuration, sleep } from '../../util/time.js';
import type { StepRunner } from '../types.js';
import { waitConfig } from './config.js';

export const waitRunner: StepRunner = {
  kind: 'wait',
  expect: {},
  async run(config: unknown, ctx) {
    const { duration, reason } = waitConfig(config);
    const ms = parseDuration(duration);
    if (ms === undefined)
      throw new StepError(`wait needs a duration such as 500ms or 2s, got ${JSON.stringify(duration)}`, {
        location: ctx.location,
      });
    const started = Date.now();
    const end = started + ms;
    await sleep(Math.min(end, ctx.deadline) - started, ctx.signal);
    const waited = Date.now() - started;
    // Cut short by Ctrl-C or the deadline: the engine adds which one to the message.
    if (ctx.signal.aborted || Date.now() < end)
      throw new StepError(`wait ${formatMs(ms)} cut short after ${formatMs(waited)}`, {
        location: ctx.location,
      });
    return { values: {}, root: null, summary: { waitedMs: waited, ...(reason ? { reason } : {}) } };
  },
};
