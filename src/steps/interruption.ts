import { StepError } from '../errors.js';
import { onAbort } from '../util/abort.js';
import type { StepContext } from './types.js';

export type InterruptionReason = 'interrupted' | "did not finish before the step's deadline";

/**
 * A promise that rejects with a StepError (`code`, at the step's location) when the step is
 * aborted or its deadline passes; race it against work that has no deadline of its own, and
 * call `cleanup` when the work is done. `message` turns the reason into the error's text.
 */
export function interruption(
  ctx: StepContext,
  code: string,
  message: (reason: InterruptionReason) => string,
): { promise: Promise<never>; cleanup: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let forget: (() => void) | undefined;
  const promise = new Promise<never>((_, reject) => {
    const fail = (reason: InterruptionReason) =>
      reject(new StepError(message(reason), { code, location: ctx.location }));
    if (ctx.signal.aborted) return fail('interrupted');
    forget = onAbort(ctx.signal, () => fail('interrupted'));
    const left = ctx.deadline - Date.now();
    if (Number.isFinite(left)) {
      timer = setTimeout(() => fail("did not finish before the step's deadline"), Math.max(0, left));
    }
  });
  promise.catch(() => undefined);
  return {
    promise,
    cleanup: () => {
      clearTimeout(timer);
      forget?.();
    },
  };
}
