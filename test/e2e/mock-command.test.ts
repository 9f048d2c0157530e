import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { project, startCli, until, waitCli } from '../helpers/cli.js';

describe('flowrun mock <file>', () => {
  it('keeps rendering the file’s response templates after a PUT /mockserver/expectation', async () => {
    const p = await project({
      'mocks.yaml': [
        'vars: { greeting: hello }',
        'mocks:',
        '  - id: hi',
        '    request: { method: GET, path: /hi }',
        '    response: { status: 200, json: { text: "{{greeting}} {{request.query.name}}" } }',
        '',
      ].join('\n'),
    });
    const child = startCli(['mock', 'mocks.yaml', '--port', '0'], { cwd: p.dir });
    try {
      await until(() => /listening on (http:\/\/\S+)/.test(child.out.stdout), 20_000, 'the mock server');
      const url = /listening on (http:\/\/\S+)/.exec(child.out.stdout)![1];
      const hi = async () => (await (await fetch(`${url}/hi?name=ann`)).json()) as unknown;
      assert.deepEqual(await hi(), { text: 'hello ann' });
      const put = await fetch(`${url}/mockserver/expectation`, {
        method: 'PUT',
        body: JSON.stringify({
          id: 'other',
          httpRequest: { method: 'GET', path: '/other' },
          httpResponse: { statusCode: 200, body: 'literal {{greeting}}' },
        }),
      });
      assert.equal(put.status, 201, await put.text());
      assert.deepEqual(await hi(), { text: 'hello ann' });
      // What the control API stored is answered as given (MockServer does not render it).
      assert.equal(await (await fetch(`${url}/other`)).text(), 'literal {{greeting}}');
    } finally {
      child.kill('SIGTERM');
      const r = await waitCli(child, 10_000);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      await p.cleanup();
    }
  });
});
