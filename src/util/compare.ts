const numeric = /^[-+]?\d+(\.\d+)?(e[-+]?\d+)?$/i;
const num = (v: unknown): number | undefined =>
  typeof v === 'number' ? v : typeof v === 'string' && numeric.test(v.trim()) ? Number(v) : undefined;
const time = (v: unknown): number | undefined =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v) : undefined;

/**
 * Two values as numbers that can be ordered: numbers and numeric strings by value, otherwise
 * ISO timestamps by time; undefined when they cannot be ordered. Shared by the gt/gte/lt/lte
 * matchers and the template helpers of the same names, so both agree.
 */
export function orderable(a: unknown, b: unknown): [number, number] | undefined {
  let x = num(a);
  let y = num(b);
  if (x === undefined || y === undefined) {
    x = time(a);
    y = time(b);
  }
  if (x === undefined || y === undefined || Number.isNaN(x) || Number.isNaN(y)) return undefined;
  return [x, y];
}
