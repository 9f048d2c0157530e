// Failed-attempt limiting (login): after `max` failures for one key within `windowSeconds`,
// further attempts answer 429 with Retry-After until the window that started with the first
// failure has passed. Kept in memory: it resets when the shop restarts.

export function createAttemptLimiter({ max, windowSeconds }) {
  const failures = new Map();
  const entry = (key, now) => {
    const e = failures.get(key);
    if (e && now >= e.resetAt) {
      failures.delete(key);
      return undefined;
    }
    return e;
  };
  return {
    /** Seconds until `key` may try again, or 0 when it may try now. */
    retryAfter(key, now = Date.now()) {
      const e = entry(key, now);
      return e && e.count >= max ? Math.max(1, Math.ceil((e.resetAt - now) / 1000)) : 0;
    },
    fail(key, now = Date.now()) {
      const e = entry(key, now) ?? { count: 0, resetAt: now + windowSeconds * 1000 };
      e.count++;
      failures.set(key, e);
    },
    reset(key) {
      failures.delete(key);
    },
  };
}
