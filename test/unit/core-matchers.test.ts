import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, isMatcher, MISSING } from '../../src/assert/matchers.js';
import { select } from '../../src/assert/jsonpath.js';
import { capture } from '../../src/assert/capture.js';
import { evaluate } from '../../src/assert/evaluate.js';

describe('matchers', () => {
  const cases: [string, unknown, unknown, boolean, RegExp?][] = [
    ['plain equality', 5, 5, true],
    ['plain inequality', 5, 6, false, /expected 5, got 6/],
    ['type strictness', 5, '5', false],
    ['deep object', { a: 1, b: [1, 2] }, { a: 1, b: [1, 2] }, true],
    ['deep object extra key', { a: 1 }, { a: 1, b: 2 }, false, /unexpected key "b"/],
    ['nested matcher', { a: { gt: 1 } }, { a: 2 }, true],
    ['nested matcher fails with path', { a: { gt: 5 } }, { a: 2 }, false, /> 5, got 2 at a/],
    ['gt', { gt: 0 }, 200, true],
    ['gt numeric string', { gt: 10 }, '42', true],
    ['lte fails', { lte: 1 }, 2, false, /<= 1, got 2/],
    ['timestamps compare', { lt: '2030-01-01T00:00:00Z' }, '2026-11-21T06:00:00Z', true],
    ['in', { in: ['confirmed', 'failed'] }, 'failed', true],
    ['in fails', { in: ['confirmed'] }, 'pending', false, /one of \["confirmed"\], got "pending"/],
    ['notIn', { notIn: [1, 2] }, 3, true],
    ['ne', { ne: 'x' }, 'x', false],
    ['contains substring', { contains: 'json' }, 'application/json', true],
    ['contains member', { contains: 3 }, [1, 2, 3], true],
    [
      'contains partial object in list',
      { contains: { sku: 'A' } },
      [
        { sku: 'B', n: 1 },
        { sku: 'A', n: 2 },
      ],
      true,
    ],
    ['contains partial object', { contains: { a: 1 } }, { a: 1, b: 2 }, true],
    ['contains fails', { contains: { a: 2 } }, { a: 1 }, false, /containing/],
    ['matches', { matches: '^tok-\\d+$' }, 'tok-12', true],
    ['matches fails', { matches: '^x' }, 'abc', false, /matching \/\^x\//],
    ['type integer', { type: 'integer' }, 3, true],
    ['type integer fails for 3.5', { type: 'integer' }, 3.5, false],
    ['type number accepts integers', { type: 'number' }, 3, true],
    ['type null', { type: 'null' }, null, true],
    ['type array', { type: 'array' }, [], true],
    ['length', { length: 2 }, [1, 2], true],
    ['length matcher', { length: { gte: 3 } }, 'ab', false, /length/],
    ['exists false on missing', { exists: false }, MISSING, true],
    ['exists true on missing', { exists: true }, MISSING, false, /to exist/],
    ['empty', { empty: true }, [], true],
    ['empty false', { empty: false }, '', false],
    ['schema', { schema: { type: 'object', required: ['id'] } }, { id: 1 }, true],
    ['schema fails', { schema: { type: 'object', required: ['id'] } }, {}, false, /required property 'id'/],
    ['several keys all hold', { gt: 1, lt: 3 }, 2, true],
    ['several keys one fails', { gt: 1, lt: 3 }, 3, false],
    ['missing value vs plain', 'x', MISSING, false, /got nothing/],
  ];
  for (const [name, expected, actual, passed, message] of cases) {
    it(name, () => {
      const r = check(expected, actual);
      assert.equal(r.passed, passed, JSON.stringify(r));
      if (message) assert.match(r.message ?? '', message);
    });
  }
  it('recognises matcher objects only when every key is a matcher', () => {
    assert.equal(isMatcher({ type: 'string' }), true);
    assert.equal(isMatcher({ type: 'card', name: 'x' }), false);
    assert.equal(isMatcher({}), false);
  });
});

describe('JSONPath and captures', () => {
  const body = { user: { email: 'a@b.c' }, items: [{ sku: 'A' }, { sku: 'B' }], 'odd key': 1 };
  it('selects definite paths on the fast path', () => {
    assert.deepEqual(select(body, '$.user.email'), { found: true, value: 'a@b.c' });
    assert.deepEqual(select(body, '$.items[1].sku'), { found: true, value: 'B' });
    assert.deepEqual(select(body, "$['odd key']"), { found: true, value: 1 });
    assert.deepEqual(select(body, '$.nope'), { found: false, value: undefined });
    assert.deepEqual(select(body, '$'), { found: true, value: body });
  });
  it('returns every match for indefinite paths', () => {
    assert.deepEqual(select(body, '$..sku').value, ['A', 'B']);
    assert.deepEqual(select(body, '$.items[*].sku').value, ['A', 'B']);
  });
  it('evaluates filters in the safe evaluator and refuses script evaluation', () => {
    assert.deepEqual(select(body, '$.items[?(@.sku=="A")].sku'), { found: true, value: ['A'] });
    assert.throws(
      () => select(body, "$.items[?(@.constructor.constructor('return process')())]"),
      /invalid JSONPath .*Cannot read properties/,
    );
    assert.throws(() => select(body, '$.items[?(require("fs"))]'), /invalid JSONPath/);
  });
  it('captures by path, header and list', () => {
    const out = capture(
      {
        email: '$.user.email',
        first: '$..sku',
        all: { path: '$..sku', all: true },
        loc: { header: 'Location' },
        none: '$.x',
      },
      { values: {}, root: body, headers: { location: '/o/1' } },
    );
    assert.deepEqual(out.values, { email: 'a@b.c', first: 'A', all: ['A', 'B'], loc: '/o/1' });
    assert.deepEqual(out.errors, [{ name: 'none', message: 'capture none: $.x matched nothing' }]);
  });
});

describe('expect evaluation', () => {
  const ctx = {
    baseDir: '.',
    keyLocations: { 'expect.status': { file: 'a.yaml', line: 3, col: 5 } },
    prefix: 'expect',
    fallback: { file: 'a.yaml', line: 1, col: 1 },
  };
  const modes = {
    status: 'oneOf',
    headers: 'headers',
    body: 'jsonpath',
    rows: 'rows',
    schema: 'schema',
    duration: 'value',
  } as const;
  const output = {
    values: {
      status: 201,
      headers: { 'content-type': 'application/json' },
      body: { id: 7 },
      duration: 12,
      rows: [{ id: 1, s: 'a' }],
    },
    root: { id: 7 },
  };
  it('status list means one of; headers are case-insensitive; rows match partially in order', () => {
    const r = evaluate(
      {
        status: [200, 201],
        headers: { 'Content-Type': { contains: 'json' } },
        body: { '$.id': 7 },
        rows: [{ s: 'a' }],
        duration: { lt: 100 },
      },
      output,
      modes,
      ctx,
    );
    assert.ok(
      r.every((a) => a.passed),
      JSON.stringify(r),
    );
  });
  it('a failure carries path, expected, actual and location', () => {
    const [a] = evaluate({ status: 404 }, output, modes, ctx);
    assert.deepEqual(
      [a.passed, a.path, a.expected, a.actual, a.location?.line, a.message],
      [false, 'status', 404, 201, 3, 'status: expected 404, got 201'],
    );
  });
  it('a missing row is reported', () => {
    const r = evaluate({ rows: [{ s: 'a' }, { s: 'b' }] }, output, modes, ctx);
    assert.match(r[1].message ?? '', /expected a row 2, got only 1 row/);
  });
  it('an unknown key for the kind fails clearly', () => {
    const [a] = evaluate({ rowz: 1 }, output, modes, ctx);
    assert.match(a.message ?? '', /"rowz" cannot be checked/);
  });
});
