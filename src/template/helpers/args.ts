import type { HelperOptions } from 'handlebars';

/** Handlebars passes an options object last; a helper sees its positional arguments and `key=value` options apart. */
export function split(list: unknown[]): { args: unknown[]; hash: Record<string, unknown> } {
  const options = list[list.length - 1] as HelperOptions | undefined;
  return { args: list.slice(0, -1), hash: (options?.hash as Record<string, unknown>) ?? {} };
}

/** The text of a value as a helper uses it: objects as JSON, nothing as ''. */
export const str = (v: unknown): string =>
  typeof v === 'string'
    ? v
    : v === undefined || v === null
      ? ''
      : typeof v === 'object'
        ? JSON.stringify(v)
        : String(v);

/** A readable form of a value for error messages. */
export const show = (v: unknown): string => {
  if (v === undefined) return 'nothing';
  const s = typeof v === 'string' ? JSON.stringify(v) : str(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/** One option out of a fixed list (case-insensitive), or the default; anything else is an error. */
export function choice<T extends string>(
  helper: string,
  option: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  const found = allowed.find((a) => a.toLowerCase() === String(value).toLowerCase());
  if (found === undefined)
    throw new Error(`${helper}: ${option} must be one of ${allowed.join(', ')}, got ${show(value)}`);
  return found;
}
