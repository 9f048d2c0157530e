import { test } from 'node:test';
import assert from 'node:assert/strict';
import { differences } from '../../src/mock/match.js';
import { normalizeMatcher, type RecordedRequest } from '../../src/mock/model.js';
import { describeTimes, normalizeTimes } from '../../src/mock/verify.js';
import { fromMockServerRequest, toMockServerRequest } from '../../src/mock/dialects/mockserver.js';
import { toWireMockRequest } from '../../src/mock/drivers/wiremock.js';
import { FlowrunError } from '../../src/errors.js';

const req = (over: Partial<RecordedRequest> = {}): RecordedRequest => ({
  seq: 1,
  at: '2024-01-01T00:00:00.000Z',
  method: 'POST',
  path: '/api/v1/payments',
  query: { page: '2', tag: ['a', 'b'] },
  headers: { 'content-type': 'application/json', authorization: 'Bearer secret' },
  body: '{"amount":200,"currency":"RUB","items":[{"sku":"A","qty":1}]}',
  json: { amount: 200, currency: 'RUB', items: [{ sku: 'A', qty: 1 }] },
  ...over,
});

const cases: [string, Record<string, unknown>, string[]][] = [
  ['method and literal path', { method: 'post', path: '/api/v1/payments' }, []],
  [
    'a literal path is not a regex',
    { path: '/api/v1/payment.' },
    ['path: expected "/api/v1/payment.", got "/api/v1/payments"'],
  ],
  [
    'pathPattern matches the whole path',
    { pathPattern: '/api/v1/pay' },
    ['path: expected to match //api/v1/pay/, got "/api/v1/payments"'],
  ],
  ['pathPattern ok', { pathPattern: '/api/v[0-9]+/payments' }, []],
  ['wrong method', { method: 'GET' }, ['method: expected GET, got POST']],
  ['query value and a repeated key', { query: { page: '2', tag: 'b' } }, []],
  [
    'missing query parameter',
    { query: { cursor: 'x' } },
    ['query cursor: expected "x", got no such parameter'],
  ],
  [
    'header regex, names case-insensitive',
    { headers: { 'Content-Type': { matches: 'application/.*' } } },
    [],
  ],
  [
    'authorization is masked in differences',
    { headers: { Authorization: 'Bearer other' } },
    ['header authorization: expected "Bearer other", got "*****"'],
  ],
  ['absent header', { headers: { 'x-trace': { exists: false } } }, []],
  ['partial json, numbers by value', { json: { amount: 200.0, items: [{ sku: 'A' }] } }, []],
  ['json value differs', { json: { currency: 'USD' } }, ['json $.currency: expected "USD", got "RUB"']],
  ['json array length differs', { json: { items: [] } }, ['json $.items: expected 0 items, got 1']],
  ['json missing key', { json: { customer: { email: 'a@b.c' } } }, ['json $.customer: missing']],
  [
    'exact json rejects extra keys',
    { json: { amount: 200 }, jsonMatch: 'exact' },
    ['json $.currency: unexpected key (exact match)', 'json $.items: unexpected key (exact match)'],
  ],
  ['raw body regex', { bodyPattern: '.*"currency":"RUB".*' }, []],
  ['raw body exact differs', { body: 'x' }, [`body: expected "x", got ${JSON.stringify(req().body)}`]],
];

for (const [name, matcher, expected] of cases) {
  test(`match: ${name}`, () => {
    const diffs = differences(normalizeMatcher(matcher), req());
    assert.deepEqual(
      diffs.map((d) => d.message),
      expected,
    );
  });
}

test('a non-JSON body is reported as such', () => {
  const diffs = differences(normalizeMatcher({ json: { a: 1 } }), req({ body: 'a=1', json: undefined }));
  assert.deepEqual(
    diffs.map((d) => d.message),
    ['json: expected a JSON body, got "a=1"'],
  );
});

test('matchers refuse what no driver could honour', () => {
  assert.throws(
    () => normalizeMatcher({ path: '/x?a=1' }),
    /contains a query string; put parameters under query:/,
  );
  assert.throws(() => normalizeMatcher({ pathPattern: '(' }), FlowrunError);
  assert.throws(() => normalizeMatcher({ paht: '/x' }), /unknown key "paht"/);
  assert.throws(() => normalizeMatcher({ headers: { a: { regex: 'x' } } }), /expected a string or one of/);
});

test('times', () => {
  assert.deepEqual(normalizeTimes(undefined), { atLeast: 1 });
  assert.deepEqual(normalizeTimes({ exactly: 0 }), { atLeast: 0, atMost: 0 });
  assert.equal(describeTimes(normalizeTimes({ exactly: 0 })), 'never');
  assert.equal(describeTimes(normalizeTimes({ exactly: 2 })), 'exactly 2 times');
  assert.equal(describeTimes(normalizeTimes({ atLeast: 1, atMost: 3 })), 'between 1 and 3 times');
  assert.equal(describeTimes(normalizeTimes({ atMost: 1 })), 'at most 1 time');
  assert.throws(() => normalizeTimes({ exactly: 1, atLeast: 1 }), /cannot be combined/);
  assert.throws(() => normalizeTimes({ atLeast: 3, atMost: 1 }), /greater than atMost/);
});

test('translation to MockServer and WireMock', () => {
  const m = normalizeMatcher({
    method: 'POST',
    path: '/a+b',
    query: { mode: 'full' },
    headers: { Authorization: { matches: 'Bearer .+' } },
    json: { amount: 1 },
  });
  assert.deepEqual(toMockServerRequest(m), {
    method: 'POST',
    path: '/a\\+b',
    queryStringParameters: { mode: ['full'] },
    headers: { authorization: ['Bearer .+'] },
    body: { type: 'JSON', json: { amount: 1 }, matchType: 'ONLY_MATCHING_FIELDS' },
  });
  assert.deepEqual(toWireMockRequest(m), {
    method: 'POST',
    urlPath: '/a+b',
    queryParameters: { mode: { equalTo: 'full' } },
    headers: { authorization: { matches: 'Bearer .+' } },
    bodyPatterns: [{ equalToJson: { amount: 1 }, ignoreExtraElements: true, ignoreArrayOrder: false }],
  });
  // MockServer paths are regexes that are also tried literally.
  const back = fromMockServerRequest({ path: '/a+b', headers: [{ name: 'X-Id', values: ['[0-9]+'] }] });
  assert.equal(differences(back, req({ path: '/a+b', headers: { 'x-id': '7' } })).length, 0);
  assert.equal(differences(back, req({ path: '/aab', headers: { 'x-id': '7' } })).length, 0);
  assert.equal(differences(back, req({ path: '/aab', headers: { 'x-id': 'x' } })).length, 1);
});
