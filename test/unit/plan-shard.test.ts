import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseShard, plan, shardOf, tagFilter } from '../../src/engine/plan.js';
import type { ScenarioSpec } from '../../src/types.js';

const ids = (n: number, prefix = 'scenarios/s'): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}${i}.yaml#Scenario ${i}`);

const spec = (id: string, tags: string[] = []): ScenarioSpec =>
  ({ id, name: id.split('#')[1], tags }) as unknown as ScenarioSpec;

const shards = (list: string[], total: number): string[][] =>
  Array.from({ length: total }, (_, i) => shardOf(list, i + 1, total));

describe('shardOf', () => {
  it('partitions every list into slices whose sizes differ by at most one', () => {
    for (let n = 0; n <= 60; n++) {
      for (let total = 1; total <= 7; total++) {
        const parts = shards(ids(n), total);
        const sizes = parts.map((p) => p.length);
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `n=${n} total=${total}: ${sizes.join(',')}`);
        const all = parts.flat();
        assert.equal(all.length, n, 'no id twice');
        assert.deepEqual(new Set(all), new Set(ids(n)), 'every id once');
      }
    }
  });

  it('does not depend on the order the scenarios were discovered in', () => {
    const list = ids(25);
    const reversed = [...list].reverse();
    for (let i = 1; i <= 4; i++) assert.deepEqual(shardOf(list, i, 4), shardOf(reversed, i, 4));
  });

  it('moves at most total-1 existing scenarios when one is added elsewhere', () => {
    for (const total of [2, 3, 4, 6]) {
      for (let n = 10; n <= 40; n += 3) {
        const before = ids(n);
        const after = [...before, 'scenarios/new/added.yaml#A new scenario'];
        const where = (parts: string[][]) => new Map(parts.flatMap((p, i) => p.map((id) => [id, i])));
        const a = where(shards(before, total));
        const b = where(shards(after, total));
        const moved = before.filter((id) => a.get(id) !== b.get(id));
        assert.ok(moved.length <= total - 1, `total=${total} n=${n}: ${moved.length} moved`);
      }
    }
  });
});

describe('plan', () => {
  const list = [
    spec('a.yaml#Login works', ['smoke']),
    spec('b.yaml#Checkout [gateway=stripe]', ['smoke', 'slow']),
    spec('c.yaml#Refund', ['smoke', 'flaky']),
    spec('d.yaml#Report export', ['nightly']),
  ];
  const names = (l: ScenarioSpec[]) => l.map((s) => s.name);

  it('filters by tag expressions with and/or/not and parentheses', () => {
    assert.deepEqual(names(plan(list, { tag: 'smoke and not (slow or flaky)' })), ['Login works']);
    assert.deepEqual(names(plan(list, { tag: 'slow or nightly' })), [
      'Checkout [gateway=stripe]',
      'Report export',
    ]);
  });

  it('filters by --grep as a substring (brackets included) or a regular expression', () => {
    assert.deepEqual(names(plan(list, { grep: '[gateway=stripe]' })), ['Checkout [gateway=stripe]']);
    assert.deepEqual(names(plan(list, { grep: '^re' })), ['Refund', 'Report export']);
  });

  it('keeps the plan order inside a shard', () => {
    const many = ids(30).map((id) => spec(id));
    for (let i = 1; i <= 3; i++) {
      const mine = plan(many, { shard: `${i}/3` });
      const positions = mine.map((s) => many.indexOf(s));
      assert.deepEqual(
        positions,
        [...positions].sort((a, b) => a - b),
      );
    }
  });

  it('refuses malformed shards and tag expressions with usage errors', () => {
    for (const bad of ['0/3', '4/3', '1/0', 'a/b', '2']) {
      assert.throws(() => parseShard(bad), { message: new RegExp(`invalid --shard "${bad}"`) });
    }
    assert.throws(() => tagFilter('smoke and ('), { message: /invalid --tag expression "smoke and \("/ });
  });
});
