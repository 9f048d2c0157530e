import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Masker } from '../../src/util/mask.js';

test('masking keeps an exchange curl line lazy, and masks it when it is read', () => {
  let built = 0;
  const exchange = {
    request: {
      method: 'GET',
      url: 'http://x/a?key=hunter22',
      headers: { Authorization: 'Bearer tok-123456' },
    },
    get curl() {
      built++;
      return "curl -H 'Authorization: Bearer tok-123456' 'http://x/a?key=hunter22'";
    },
  };
  const masked = new Masker(['hunter22']).value({ exchange }).exchange;
  assert.equal(built, 0, 'masking must not build the curl line');
  assert.equal(masked.request.headers.Authorization, 'Bearer *****');
  assert.equal(masked.request.url, 'http://x/a?key=*****');
  assert.equal(masked.curl, "curl -H 'Authorization: Bearer *****' 'http://x/a?key=*****'");
  assert.equal(built, 1);
  assert.equal(JSON.parse(JSON.stringify(masked)).curl, masked.curl, 'serialised with the other fields');
});
