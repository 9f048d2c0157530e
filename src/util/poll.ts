import { sleep } from './time.js';

/** Why a poll stopped. */
export type PollEnd = 'done' | 'timed-out' | 'interrupted';

export interface PollOptions {
  /** Wall-clock deadline (epoch ms): no attempt starts after it. */
  deadline: number;
  /** Pause between attempts. */
  intervalMs: number;
  /** Stops the wait at once (Ctrl-C, a scenario's deadline). */
  signal?: AbortSignal;
  /**
   * When the next full interval would pass the deadline: `true` (default) sleeps what is left
   * and makes one last attempt at the deadline; `false` stops there. A step's `poll:` stops:
   * an attempt started at its deadline has no time left to answer.
   */
  lastAttemptAtDeadline?: boolean;
}

/**
 * The one polling loop (a step's `poll:`, verify's `within`, readiness checks, mock drivers
 * waiting for their server): calls `attempt` until it returns true, the deadline passes or the
 * signal aborts. Returns why it stopped and how many attempts were made; what each attempt saw is
 * the caller's to keep.
 */
export async function pollUntil(
  attempt: (n: number) => boolean | Promise<boolean>,
  options: PollOptions,
): Promise<{ end: PollEnd; attempts: number }> {
  const { deadline, intervalMs, signal } = options;
  let attempts = 0;
  for (;;) {
    if (signal?.aborted) return { end: 'interrupted', attempts };
    attempts++;
    if (await attempt(attempts)) return { end: 'done', attempts };
    if (signal?.aborted) return { end: 'interrupted', attempts };
    const left = deadline - Date.now();
    if (left <= 0 || (options.lastAttemptAtDeadline === false && left <= intervalMs))
      return { end: 'timed-out', attempts };
    await sleep(Math.min(intervalMs, left), signal);
  }
}
