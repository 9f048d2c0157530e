import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstFailure, redactCurl, redactHeaders } from '../../src/report/format/index.js';
import { sampleRun } from '../helpers/results.js';

test('redaction: credential headers and curl flags never render', () => {
  assert.deepEqual(
    redactHeaders({
      Authorization: 'Bearer abc.def',
      cookie: 'a=1',
      'Set-Cookie': 'sid=2',
      'Proxy-Authorization': 'Basic Zm9v',
      Accept: '*/*',
    }),
    {
      Authorization: 'Bearer *****',
      cookie: '*****',
      'Set-Cookie': '*****',
      'Proxy-Authorization': 'Basic *****',
      Accept: '*/*',
    },
  );
  assert.equal(
    redactCurl(
      `curl -X GET 'http://h/x' -H 'Authorization: Bearer abc' -H "cookie: a=1" --header 'X-Id: 7' -u admin:pw --cookie sid=3`,
    ),
    `curl -X GET 'http://h/x' -H 'Authorization: Bearer *****' -H "cookie: *****" --header 'X-Id: 7' -u ***** --cookie *****`,
  );
});

test('firstFailure: the first failed assertion, else the error, with the most precise location', () => {
  const run = sampleRun();
  const checkout = run.scenarios.find((s) => s.status === 'failed' && s.file.endsWith('checkout.yaml'))!;
  const f = firstFailure(checkout)!;
  assert.equal(f.message, 'body $.status: expected "confirmed", got "failed"');
  assert.deepEqual(f.location, { file: 'scenarios/checkout.yaml', line: 79, col: 11 });
  assert.equal(f.kind, 'timeout');
  const gateway = run.scenarios.find((s) => s.status === 'failed' && s.file.endsWith('gateways.yaml'))!;
  assert.equal(firstFailure(gateway)!.kind, 'error');
  assert.equal(firstFailure(run.scenarios[0]), undefined, 'passed scenarios have no failure');
});
