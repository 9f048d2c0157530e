import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { UsageError } from '../../src/errors.js';
import { grep, parseShard, plan, shardOf, tagFilter } from '../../src/engine/plan.js';
import type { ScenarioSpec } from '../../src/types.js';

const spec = (id: string, tags: string[] = []): ScenarioSpec =>
  ({ id, name: id.split('#')[1], tags }) as unknown as ScenarioSpec;
const names = (l: ScenarioSpec[]) => l.map((s) => s.name);

describe('parseShard', () => {
  it('returns the index and the total, with surrounding spaces allowed', () => {
    assert.deepEqual(parseShard('2/4'), { index: 2, total: 4 });
    assert.deepEqual(parseShard(' 1/1 '), { index: 1, total: 1 });
    assert.deepEqual(parseShard('4/4'), { index: 4, total: 4 });
  });

  it('refuses with a usage error that carries the example', () => {
    for (const bad of ['0/0', '1/', '/2', '1/2/3', '-1/2', '1.5/2', '']) {
      assert.throws(
        () => parseShard(bad),
        (error: unknown) =>
          error instanceof UsageError &&
          error.message === `invalid --shard "${bad}": expected i/n with 1 <= i <= n` &&
          error.hint === 'example: --shard 2/4',
      );
    }
  });
});

describe('tagFilter', () => {
  it('evaluates the expression against the tags it is given', () => {
    const smoke = tagFilter('smoke');
    assert.equal(smoke(['smoke']), true);
    assert.equal(smoke(['slow']), false);
    assert.equal(smoke([]), false);
    assert.equal(tagFilter('not slow')([]), true);
  });

  it('a bad expression is a usage error with the parser message and an example', () => {
    assert.throws(
      () => tagFilter('smoke and ('),
      (error: unknown) =>
        error instanceof UsageError &&
        error.message.startsWith('invalid --tag expression "smoke and (": ') &&
        error.message.length > 'invalid --tag expression "smoke and (": '.length &&
        error.hint === 'example: --tag "smoke and not slow"',
    );
  });
});

describe('grep', () => {
  const list = [spec('a#Login works'), spec('b#LOGOUT'), spec('c#Checkout (card)'), spec('d#Refund')];

  it('matches names case-insensitively as a substring first', () => {
    assert.deepEqual(names(grep(list, 'login')), ['Login works']);
    assert.deepEqual(names(grep(list, 'LOG')), ['Login works', 'LOGOUT']);
    assert.deepEqual(names(grep(list, 'checkout (card)')), ['Checkout (card)']);
  });

  it('falls back to a case-insensitive regular expression only when no name contains the text', () => {
    assert.deepEqual(names(grep(list, '^log.*s$')), ['Login works']);
    assert.deepEqual(names(grep(list, 'out$')), ['LOGOUT']);
  });

  it('an invalid regular expression that no name contains selects nothing instead of throwing', () => {
    assert.deepEqual(grep(list, '(unclosed'), []);
  });

  it('selects nothing when neither the text nor the expression matches', () => {
    assert.deepEqual(grep(list, 'payments'), []);
  });
});

describe('plan', () => {
  const list = [
    spec('a.yaml#Login works', ['smoke']),
    spec('b.yaml#Checkout', ['smoke', 'slow']),
    spec('c.yaml#Refund', ['nightly']),
  ];

  it('without options keeps every scenario in order', () => {
    assert.deepEqual(plan(list, {}), list);
  });

  it('applies tag, then grep, then the shard', () => {
    assert.deepEqual(names(plan(list, { tag: 'smoke', grep: 'check' })), ['Checkout']);
    // one shard of one is everything the filters kept
    assert.deepEqual(names(plan(list, { tag: 'smoke', shard: '1/1' })), ['Login works', 'Checkout']);
    // shards of a filtered list cover exactly that list
    const a = plan(list, { tag: 'smoke', shard: '1/2' });
    const b = plan(list, { tag: 'smoke', shard: '2/2' });
    assert.deepEqual(names([...a, ...b]).sort(), ['Checkout', 'Login works']);
    assert.equal(a.length, 1);
    assert.equal(b.length, 1);
  });

  it('a malformed shard is refused even when the filters leave nothing', () => {
    assert.throws(() => plan(list, { tag: 'none', shard: '3/2' }), UsageError);
  });
});

describe('shardOf', () => {
  const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

  it('orders by the SHA-1 of the id and cuts contiguous slices', () => {
    const list = ['x#1', 'x#2', 'x#3', 'x#4', 'x#5'];
    const order = [...list].sort((a, b) => sha1(a).localeCompare(sha1(b)));
    assert.deepEqual(shardOf(list, 1, 2), order.slice(0, 2));
    assert.deepEqual(shardOf(list, 2, 2), order.slice(2));
    assert.deepEqual(shardOf(list, 1, 1), order);
  });

  it('counts a repeated id once', () => {
    assert.deepEqual(shardOf(['x#1', 'x#1', 'x#1'], 1, 1), ['x#1']);
    const two = [...shardOf(['x#1', 'x#2', 'x#1'], 1, 2), ...shardOf(['x#1', 'x#2', 'x#1'], 2, 2)];
    assert.deepEqual(two.sort(), ['x#1', 'x#2']);
  });

  it('more shards than scenarios leaves some shards empty, never duplicates', () => {
    const all = [1, 2, 3, 4, 5].flatMap((i) => shardOf(['x#1', 'x#2'], i, 5));
    assert.deepEqual(all.sort(), ['x#1', 'x#2']);
  });
});
