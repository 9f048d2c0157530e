import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conditionHolds, loopItems } from '../../src/engine/control-flow.js';
import { renderString } from '../../src/template/render.js';
import type { ConditionSpec, LoopSpec } from '../../src/types.js';

const at = { file: 'scenarios/a.yaml', line: 7, col: 11 };
const cond = (expr: string | boolean): ConditionSpec => ({ expr, location: at });
const scope = {
  articlesCount: 3,
  zero: 0,
  name: 'alice',
  empty: '',
  list: ['a', 'b'],
  none: [],
  user: { id: 7, role: 'admin' },
  numeric: '200',
  flag: true,
  nothing: null,
  last: { status: 200, headers: { 'content-type': 'application/json' }, body: { articles: [1, 2] } },
};

describe('condition helpers', () => {
  const table: [string, boolean][] = [
    ['{{gt articlesCount 0}}', true],
    ['{{gt zero 0}}', false],
    ['{{gte zero 0}}', true],
    ['{{lt articlesCount 3}}', false],
    ['{{lte articlesCount 3}}', true],
    ['{{eq name "alice"}}', true],
    ['{{eq last.status 200}}', true],
    ['{{eq numeric 200}}', false], // strict on types
    ['{{eq numeric "200"}}', true],
    ['{{eq user.id 7}}', true],
    ['{{eq list list}}', true], // deep equality
    ['{{ne name "bob"}}', true],
    ['{{ne last.status 200}}', false],
    ['{{and flag (gt articlesCount 1)}}', true],
    ['{{and flag zero}}', false],
    ['{{or zero empty none}}', false], // 0, "" and [] are false
    ['{{or zero name}}', true],
    ['{{not empty}}', true],
    ['{{not list}}', false],
    ['{{includes list "b"}}', true],
    ['{{includes list "c"}}', false],
    ['{{includes name "lic"}}', true],
    ['{{includes user "role"}}', true],
    ['{{gt (length last.body.articles) 1}}', true],
    ['{{eq (length name) 5}}', true],
    ['{{eq (length user) 2}}', true],
    ['{{exists user.role}}', true],
    ['{{exists user.missing}}', false],
    ['{{exists nothing}}', false],
    ['{{exists nope.deeper}}', false], // a missing name is not an error for exists
    ['{{not (exists last.body.error)}}', true],
    ['{{gt "10" "9"}}', true], // numeric strings compare as numbers
  ];
  for (const [expr, expected] of table) {
    it(`${expr} is ${expected}`, () => {
      assert.equal(renderString(expr, scope), expected);
      assert.equal(conditionHolds(cond(expr), scope), expected);
    });
  }
  it('a literal boolean condition', () => {
    assert.equal(conditionHolds(cond(true), {}), true);
    assert.equal(conditionHolds(cond(false), {}), false);
  });
});

describe('conditions must give a boolean', () => {
  const fails = (expr: string, message: RegExp) => {
    assert.throws(
      () => conditionHolds(cond(expr), scope),
      (e: Error & { location?: unknown; code?: string }) => {
        assert.match(e.message, message);
        assert.deepEqual(e.location, at);
        assert.equal(e.code, 'E_CONDITION');
        return true;
      },
    );
  };
  it('a number is an error at the condition', () =>
    fails('{{articlesCount}}', /when "\{\{articlesCount\}\}" must give true or false, got 3/));
  it('a string is an error at the condition', () =>
    fails('{{name}}', /must give true or false, got "alice"/));
  it('an unknown name is an error at the condition', () =>
    fails('{{nope}}', /when: unknown variable "nope"/));
});

describe('loop items', () => {
  const loop = (l: Partial<LoopSpec>): LoopSpec => ({ location: at, ...l });
  it('repeat: a count, or a template giving one', () => {
    assert.equal(loopItems(loop({ times: 3 }), scope), 3);
    assert.equal(loopItems(loop({ times: '{{articlesCount}}' }), scope), 3);
    assert.equal(loopItems(loop({ times: '{{numeric}}' }), scope), 200);
    assert.throws(
      () => loopItems(loop({ times: '{{name}}' }), scope),
      /repeat must be a whole number >= 0, got "alice"/,
    );
  });
  it('forEach: a list from the scope or literal', () => {
    assert.deepEqual(loopItems(loop({ items: '{{list}}', as: 'x' }), scope), ['a', 'b']);
    assert.deepEqual(loopItems(loop({ items: ['{{name}}', 2], as: 'x' }), scope), ['alice', 2]);
    assert.throws(
      () => loopItems(loop({ items: '{{user}}', as: 'x' }), scope),
      (e: Error & { location?: unknown }) =>
        /forEach.items must give a list, got \{"id":7,"role":"admin"\}/.test(e.message) &&
        JSON.stringify(e.location) === JSON.stringify(at),
    );
  });
});
