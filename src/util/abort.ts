/**
 * `onAbort(signal, fn)`: runs `fn` once when `signal` aborts and returns a function that forgets
 * it. One event listener per signal feeds a set of callbacks, so the thousands of short waits of a
 * run (a request, a scenario) each cost a set insertion instead of an EventTarget listener.
 * Callbacks added after the abort are not called: check `signal.aborted` first.
 */
const callbacks = new WeakMap<AbortSignal, Set<() => void>>();

export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  let set = callbacks.get(signal);
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
    callbacks.set(signal, pending);
    set = pending;
  }
  set.add(fn);
  const owner = set;
  return () => {
    owner.delete(fn);
  };
}
