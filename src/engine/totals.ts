import type { ScenarioResult, Totals } from '../types.js';

/** Scenario instances by status. */
export function countStatuses(results: ScenarioResult[]): Totals {
  const t: Totals = { scenarios: results.length, passed: 0, failed: 0, skipped: 0, flaky: 0 };
  for (const r of results) t[r.status]++;
  return t;
}

/**
 * Passed (incl. flaky) / (scenarios - skipped), in percent with two decimals; `null` when nothing
 * ran (a run that skipped everything has no success rate, least of all 100 %).
 */
export function successRate(t: Totals): number | null {
  const ran = t.scenarios - t.skipped;
  return ran === 0 ? null : Math.round(((t.passed + t.flaky) / ran) * 10_000) / 100;
}

/** `80.0%`, or `n/a` when nothing ran. */
export const formatRate = (rate: number | null | undefined): string =>
  rate === null || rate === undefined ? 'n/a' : `${rate.toFixed(1)}%`;

/**
 * Why scenarios did not run, for the summary: `0 of 11 ran: environment "local" could not be
 * prepared`; with several reasons the most common first. Undefined when something ran.
 */
export function notRunSummary(results: ScenarioResult[]): string | undefined {
  const t = countStatuses(results);
  if (t.scenarios === 0 || t.skipped < t.scenarios) return undefined;
  const reasons = new Map<string, number>();
  for (const r of results) {
    const why = r.skipReason ?? 'skipped';
    reasons.set(why, (reasons.get(why) ?? 0) + 1);
  }
  const sorted = [...reasons].sort((a, b) => b[1] - a[1]);
  const [top, count] = sorted[0];
  const rest =
    sorted.length > 1
      ? `; ${t.scenarios - count} for ${sorted.length - 1} other reason${sorted.length > 2 ? 's' : ''}`
      : '';
  return `0 of ${t.scenarios} ran: ${top}${sorted.length > 1 ? ` (${count})` : ''}${rest}`;
}

/**
 * Whether `--min-success-rate` turns a run with failures into a pass, and the sentence that says
 * so (a failing run must never exit 0 silently).
 */
export function minRateVerdict(
  totals: Totals,
  rate: number | null,
  minSuccessRate: number | undefined,
): { passes: boolean; message?: string } {
  if (totals.failed === 0 || minSuccessRate === undefined) return { passes: totals.failed === 0 };
  if (rate !== null && rate >= minSuccessRate)
    return {
      passes: true,
      message: `${totals.failed} scenario${totals.failed === 1 ? '' : 's'} failed, but the success rate ${formatRate(rate)} reached --min-success-rate ${minSuccessRate}%: exit 0`,
    };
  return { passes: false };
}
