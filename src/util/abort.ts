/**
 * `onAbort(signal, fn)`: runs `fn` once when `signal` aborts and returns a function that forgets
 * it. One event listener per signal feeds a set of callbacks, so the thousands of short waits of a
 * run (a request, a scenario) each cost a set insertion instead of an EventTarget listener.
 * Callbacks added after the abort are not called: check `signal.aborted` first.
 *
 * The set lives on the signal itself (a symbol-keyed property), not in a WeakMap: WeakMap
 * entries of short-lived keys survive until a full collection, which raised peak memory on
 * long runs.
 */
const PENDING = Symbol('flowrun.onAbort');

type Tracked = AbortSignal & { [PENDING]?: Set<() => void> };

export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  const tracked = signal as Tracked;
  let set = tracked[PENDING];
  if (!set) {
    const pending = new Set<() => void>();
    signal.addEventListener(
      'abort',
      () => {
        for (const f of [...pending]) f();
        pending.clear();
      },
      { once: true },
    );
    tracked[PENDING] = pending;
    set = pending;
  }
  set.add(fn);
  const owner = set;
  return () => {
    owner.delete(fn);
  };
}

/**
 * `promise`, or 'timeout' after `ms`. The timer is cleared either way: a forgotten timer keeps
 * Node alive until it fires (a test file would linger for a minute).
 */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), Math.max(0, ms));
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
