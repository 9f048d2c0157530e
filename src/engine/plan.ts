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
 * Selects scenarios: tag expression, name filter, then the shard. Shards are balanced by count
 * over a stable order (sorted by a hash of the id), so a scenario always lands in the same shard
 * for the same set of scenarios.
 */
export function plan(scenarios: ScenarioSpec[], options: PlanOptions): ScenarioSpec[] {
  let list = scenarios;
  if (options.tag) {
    const match = tagFilter(options.tag);
    list = list.filter((s) => match(s.tags));
  }
  if (options.grep) {
    const needle = options.grep.toLowerCase();
    let re: RegExp | undefined;
    try {
      re = new RegExp(options.grep, 'i');
    } catch {
      re = undefined;
    }
    list = list.filter((s) => s.name.toLowerCase().includes(needle) || (re?.test(s.name) ?? false));
  }
  if (options.shard) {
    const { index, total } = parseShard(options.shard);
    const order = [...list].sort((a, b) => hash(a.id).localeCompare(hash(b.id)) || a.id.localeCompare(b.id));
    const mine = new Set(order.filter((_, i) => i % total === index - 1).map((s) => s.id));
    list = list.filter((s) => mine.has(s.id));
  }
  return list;
}

const hash = (s: string): string => createHash('sha1').update(s).digest('hex');
