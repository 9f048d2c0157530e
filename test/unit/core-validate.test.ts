import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseYamlSource } from '../../src/scenario/yaml-source.js';
import { validateSource } from '../../src/scenario/validate.js';

const errors = (yaml: string, schema: 'scenario' | 'environment' = 'scenario') =>
  validateSource(parseYamlSource(yaml, 'x.yaml'), schema).map((e) => ({
    at: `${e.location?.line}:${e.location?.col}`,
    message: e.message,
    hint: e.hint,
  }));

describe('schema errors are located and readable', () => {
  it('unknown key with a suggestion, at the key', () => {
    assert.deepEqual(errors('name: a\nsteps:\n  - http: { url: /x }\n    expct: { status: 200 }\n'), [
      { at: '4:5', message: 'unknown key "expct" in steps[0]', hint: 'did you mean "expect"?' },
    ]);
  });
  it('missing key', () => {
    assert.deepEqual(errors('steps: []\n'), [{ at: '1:1', message: 'missing key "name"', hint: undefined }]);
  });
  it('wrong type at the value', () => {
    assert.deepEqual(errors('name: a\nsteps:\n  - http: { url: 5 }\n'), [
      { at: '3:18', message: 'steps[0].http.url must be a string, not number 5', hint: undefined },
    ]);
  });
  it('a bad duration says so', () => {
    const [e] = errors('name: a\nsteps:\n  - http: { url: /x }\n    poll: { timeout: soon }\n');
    assert.equal(e.at, '4:22');
    assert.match(e.message, /steps\[0\]\.poll\.timeout is not a valid duration/);
  });
  it('expect keys depend on the step kind', () => {
    const [e] = errors('name: a\nsteps:\n  - http: { url: /x }\n    expect: { rowCount: 1 }\n');
    assert.equal(e.message, 'unknown key "rowCount" in steps[0].expect');
    assert.equal(e.at, '4:15');
  });
  it('environment files have their own schema', () => {
    const [e] = errors('name: x\nbaseURL: http://a\n', 'environment');
    assert.deepEqual(e, { at: '2:1', message: 'unknown key "baseURL"', hint: 'did you mean "baseUrl"?' });
  });
  it('YAML syntax errors and alias bombs are located errors', () => {
    assert.throws(
      () => parseYamlSource('a: [1, 2\nb: 3\n', 'y.yaml'),
      (e: Error & { location?: { line: number } }) =>
        /YAML syntax error/.test(e.message) && e.location?.line !== undefined,
    );
    const bomb = [
      'a: &a [x,x,x,x,x,x,x,x,x]',
      ...'bcdefg'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefg'[i]}`).join(',')}]`),
    ].join('\n');
    assert.throws(() => parseYamlSource(bomb, 'b.yaml'), /alias bomb/);
  });
});
