import { createHash } from 'node:crypto';
import parseTags from '@cucumber/tag-expressions';
import { UsageError } from '../errors.js';
import type { ScenarioSpec } from '../types.js';

export interface PlanOptions {
  tag?: string;
  grep?: string;
  shard?: string;
}

/** Parses a tag expression ("smoke and not (slow or flaky)"); a bad one is a usage error. */
export function tagFilter(expression: string): (tags: string[]) => boolean {
  let parsed: { evaluate(tags: string[]): boolean };
  try {
    parsed = (parseTags as unknown as (s: string) => { evaluate(tags: string[]): boolean })(expression);
  } catch (error) {
    throw new UsageError(
      `invalid --tag expression "${expression}": ${(error as Error).message}`,
      'example: --tag "smoke and not slow"',
    );
  }
  return (tags) => parsed.evaluate(tags);
}

export function parseShard(shard: string): { index: number; total: number } {
  const m = /^(\d+)\/(\d+)$/.exec(shard.trim());
  const index = m ? Number(m[1]) : NaN;
  const total = m ? Number(m[2]) : NaN;
  if (!m || total < 1 || index < 1 || index > total) {
    throw new UsageError(`invalid --shard "${shard}": expected i/n with 1 <= i <= n`, 'example: --shard 2/4');
  }
  return { index, total };
}

/**
 * Selects scenarios: tag expression, name filter, then the shard. The plan order (files as
 * discovered) is kept; only membership is decided by the shard.
 */
export function plan(scenarios: ScenarioSpec[], options: PlanOptions): ScenarioSpec[] {
  let list = scenarios;
  if (options.tag) {
    const match = tagFilter(options.tag);
    list = list.filter((s) => match(s.tags));
  }
  if (options.grep) list = grep(list, options.grep);
  if (options.shard) {
    const { index, total } = parseShard(options.shard);
    const mine = new Set(
      shardOf(
        list.map((s) => s.id),
        index,
        total,
      ),
    );
    list = list.filter((s) => mine.has(s.id));
  }
  return list;
}

/**
 * `--grep`: names containing the text (case-insensitive). Only when no name contains it
 * literally is it tried as a regular expression, so `Checkout [gateway=stripe]` selects that
 * instance instead of acting as a character class, while `^login|logout$` still works.
 */
export function grep(list: ScenarioSpec[], text: string): ScenarioSpec[] {
  const needle = text.toLowerCase();
  const literal = list.filter((s) => s.name.toLowerCase().includes(needle));
  if (literal.length) return literal;
  let re: RegExp;
  try {
    re = new RegExp(text, 'i');
  } catch {
    return [];
  }
  return list.filter((s) => re.test(s.name));
}

/**
 * The ids of shard `index` (1-based) of `total`. Ids are ordered by a hash (so the result does
 * not depend on discovery order or on which machine runs it) and cut into `total` contiguous
 * slices whose sizes differ by at most one. Contiguous slices, rather than every n-th id, keep
 * assignments stable: adding or removing a scenario moves at most one id across each slice
 * boundary, so at most total - 1 existing scenarios change shard.
 */
export function shardOf(ids: string[], index: number, total: number): string[] {
  const order = [...new Set(ids)].sort((a, b) => hash(a).localeCompare(hash(b)) || a.localeCompare(b));
  const start = Math.floor(((index - 1) * order.length) / total);
  const end = Math.floor((index * order.length) / total);
  return order.slice(start, end);
}

const hash = (s: string): string => createHash('sha1').update(s).digest('hex');
