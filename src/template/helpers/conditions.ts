import { isDeepStrictEqual } from 'node:util';
import type { HelperDelegate } from 'handlebars';
import { orderable } from '../../util/compare.js';
import { show, split } from './args.js';

/**
 * How a condition reads a value: false, null, nothing, 0, NaN, '' and an empty list are false,
 * everything else (also an empty object and the string "false") is true.
 */
export const truthy = (v: unknown): boolean => (Array.isArray(v) ? v.length > 0 : Boolean(v));

function exactly(helper: string, list: unknown[], n: number): unknown[] {
  const { args } = split(list);
  if (args.length !== n)
    throw new Error(`${helper} takes ${n} value${n === 1 ? '' : 's'}, got ${args.length}`);
  return args;
}

const ordered =
  (name: string, op: (a: number, b: number) => boolean): HelperDelegate =>
  (...list: unknown[]) => {
    const [a, b] = exactly(name, list, 2);
    const pair = orderable(a, b);
    if (!pair)
      throw new Error(
        `${name} compares numbers (or numeric strings, or ISO timestamps), got ${show(a)} and ${show(b)}`,
      );
    return op(pair[0], pair[1]);
  };

function lengthOf(v: unknown): number {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (v !== null && typeof v === 'object') return Object.keys(v).length;
  throw new Error(`length needs a string, a list or an object, got ${show(v)}`);
}

/**
 * Helpers for conditions (`when: "{{gt count 0}}"`): all but `length` answer a boolean.
 * `eq`/`ne` compare deeply and strictly (the number 200 is not the string "200").
 */
export const conditionHelpers: Record<string, HelperDelegate> = {
  eq: (...list: unknown[]) => {
    const [a, b] = exactly('eq', list, 2);
    return isDeepStrictEqual(a, b);
  },
  ne: (...list: unknown[]) => {
    const [a, b] = exactly('ne', list, 2);
    return !isDeepStrictEqual(a, b);
  },
  gt: ordered('gt', (a, b) => a > b),
  gte: ordered('gte', (a, b) => a >= b),
  lt: ordered('lt', (a, b) => a < b),
  lte: ordered('lte', (a, b) => a <= b),
  and: (...list: unknown[]) => {
    const { args } = split(list);
    if (args.length < 2) throw new Error(`and takes at least 2 values, got ${args.length}`);
    return args.every(truthy);
  },
  or: (...list: unknown[]) => {
    const { args } = split(list);
    if (args.length < 2) throw new Error(`or takes at least 2 values, got ${args.length}`);
    return args.some(truthy);
  },
  not: (...list: unknown[]) => !truthy(exactly('not', list, 1)[0]),
  includes: (...list: unknown[]) => {
    const [whole, part] = exactly('includes', list, 2);
    if (typeof whole === 'string') return whole.includes(String(part));
    if (Array.isArray(whole)) return whole.some((item) => isDeepStrictEqual(item, part));
    if (whole !== null && typeof whole === 'object')
      return Object.prototype.hasOwnProperty.call(whole, String(part));
    throw new Error(`includes looks into a string, a list or an object (its keys), got ${show(whole)}`);
  },
  length: (...list: unknown[]) => lengthOf(exactly('length', list, 1)[0]),
  // `exists a.b.c` is rewritten by the renderer so a missing name or parent reads as nothing.
  exists: (...list: unknown[]) => {
    const [v] = exactly('exists', list, 1);
    return v !== undefined && v !== null;
  },
};
