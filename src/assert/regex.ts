import type { StepOutput } from '../model/step.js';

/** `{ regex: 'id=(\d+)', from: body }` or `from: { header: location }` (a capture or an expectation). */
export interface RegexSpec {
  regex: string;
  /** `body` (the default: the response as received) or a response header. */
  from?: 'body' | { header: string };
}

const compiled = new Map<string, RegExp>();

/** The regular expression of a spec, compiled once (throws on an invalid one). */
export function regexOf(source: string): RegExp {
  let re = compiled.get(source);
  if (!re) {
    re = new RegExp(source);
    compiled.set(source, re);
  }
  return re;
}

/** Where a spec reads from, for messages: `body` or `header location`. */
export const regexSource = (spec: RegexSpec): string =>
  spec.from && typeof spec.from === 'object' ? `header ${spec.from.header.toLowerCase()}` : 'body';

/**
 * Applies a spec to a step's output: the first group of the first match (the whole match when
 * the expression has no group), or `found: false`.
 */
export function regexSelect(spec: RegexSpec, output: StepOutput): { found: boolean; value?: string } {
  let text: string | undefined;
  if (spec.from && typeof spec.from === 'object') {
    const v = output.headers?.[String(spec.from.header).toLowerCase()];
    text = Array.isArray(v) ? v.join('\n') : v;
  } else {
    text =
      output.text ?? (typeof output.root === 'string' ? output.root : JSON.stringify(output.root ?? null));
  }
  if (text === undefined) return { found: false };
  const m = regexOf(spec.regex).exec(text);
  if (!m) return { found: false };
  return { found: true, value: m.length > 1 ? m[1] : m[0] };
}

/** Why a regular expression is invalid, or undefined (load-time check). */
export function regexProblem(source: unknown): string | undefined {
  if (typeof source !== 'string') return 'regex must be a string';
  try {
    regexOf(source);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
