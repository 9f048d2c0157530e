import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHmac } from 'node:crypto';
import { renderString, renderValue, templateRoots } from '../../src/template/render.js';
import { parseDuration } from '../../src/util/time.js';
import { Masker } from '../../src/util/mask.js';

describe('templates', () => {
  const scope = {
    n: 5,
    user: { id: 7 },
    secrets: { key: 'k3y-value' },
    env: { HOME: '/root' },
    runId: 'r1',
    list: [1, 2],
  };
  it('keeps the type of a whole-value template', () => {
    assert.equal(renderString('{{n}}', scope), 5);
    assert.deepEqual(renderString('{{user}}', scope), { id: 7 });
    assert.equal(typeof renderString('{{randomInt 1 3}}', scope), 'number');
    assert.equal(typeof renderString('{{timestamp}}', scope), 'number');
  });
  it('renders text templates and helpers', () => {
    assert.equal(renderString('id={{user.id}} run={{runId}}', scope), 'id=7 run=r1');
    assert.equal(renderString('{{base64 secrets.key}}', scope), Buffer.from('k3y-value').toString('base64'));
    assert.equal(
      renderString('{{hmacSha256 secrets.key "body"}}', scope),
      createHmac('sha256', 'k3y-value').update('body').digest('hex'),
    );
    assert.equal(renderString('{{json list}}', scope), '[1,2]');
    assert.match(String(renderString('{{uuid}}', scope)), /^[0-9a-f-]{36}$/);
    assert.match(String(renderString('{{now}}', scope)), /^\d{4}-\d{2}-\d{2}T/);
    assert.match(String(renderString('{{randomEmail "shop.test"}}', scope)), /^user-[0-9a-f]{8}@shop\.test$/);
    assert.equal(renderString('<b>{{env.HOME}}</b>', scope), '<b>/root</b>');
  });
  it('is strict: unknown names throw with the name', () => {
    assert.throws(() => renderString('{{nope}}', scope), /unknown variable "nope"/);
    assert.throws(() => renderString('x {{user.nope}}', scope), /unknown variable/);
    assert.throws(
      () => renderString('{{env.NOT_SET_ANYWHERE}}', scope),
      /environment variable NOT_SET_ANYWHERE is not set/,
    );
  });
  it('has no prototype access', () => {
    assert.throws(() => renderString('{{user.constructor}}', scope), /unknown variable/);
    assert.throws(() => renderString('{{user.__proto__}}', scope), /unknown variable/);
  });
  it('renders deeply, leaving keys alone', () => {
    assert.deepEqual(renderValue({ '{{n}}': ['{{n}}', 'a{{n}}'] }, scope), { '{{n}}': [5, 'a5'] });
  });
  it('lists root names for load-time checks and flags unknown helpers', () => {
    assert.deepEqual(
      templateRoots('{{hmacSha256 secrets.key body}} {{uuid}} {{tok}} {{#if ok}}{{y}}{{/if}}'),
      ['secrets', 'body', 'tok', 'ok', 'y'],
    );
    assert.throws(() => templateRoots('{{frobnicate x}}'), /unknown helper "frobnicate"/);
    assert.throws(() => templateRoots('{{#if}}'), /template syntax error/);
  });
});

describe('durations', () => {
  for (const [input, ms] of [
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1.5s', 1500],
    [250, 250],
    ['1h', 3_600_000],
  ] as const) {
    it(`${input} = ${ms} ms`, () => assert.equal(parseDuration(input), ms));
  }
  for (const bad of ['fast', '-1s', '', '10 parsecs'])
    it(`refuses ${JSON.stringify(bad)}`, () => assert.equal(parseDuration(bad), undefined));
});

describe('secret masking', () => {
  const m = new Masker(['sk_live_123456']);
  it('masks the value, its base64 and URL-encoded forms, and sensitive headers', () => {
    const out = m.value({
      url: 'https://x/?k=sk_live_123456',
      sig: Buffer.from('sk_live_123456').toString('base64'),
      headers: { Authorization: 'Bearer abc.def', Cookie: 'sid=1', 'X-Other': 'fine' },
    });
    assert.deepEqual(out, {
      url: 'https://x/?k=*****',
      sig: '*****',
      headers: { Authorization: 'Bearer *****', Cookie: '*****', 'X-Other': 'fine' },
    });
  });
});
