import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpServer, json, project, runCli } from '../helpers/cli.js';

describe('selectors: JSONPath filters (safe evaluator) and regular expressions', () => {
  let server: Awaited<ReturnType<typeof httpServer>>;
  before(async () => {
    server = await httpServer((req, res) => {
      if (req.url === '/items')
        return json(res, 200, {
          items: [
            { sku: 'SKU-1', qty: 2, price: 10 },
            { sku: 'SKU-2', qty: 5, price: 3 },
          ],
        });
      if (req.url === '/text') {
        res.writeHead(201, { 'content-type': 'text/plain', location: '/orders/id=42?ref=AB12' });
        return void res.end('created order id=42 ref=XY99');
      }
      json(res, 404, {});
    });
  });
  after(() => server.close());
  const env = () => `name: local\nbaseUrl: ${server.url}\n`;

  it('filters, captures and checks with regular expressions over body and headers', async () => {
    const p = await project({
      'environments/local.yaml': env(),
      'scenarios/sel.yaml': `name: Selectors
steps:
  - http: { url: /items }
    expect:
      body:
        "$.items[?(@.sku=='SKU-1')].qty": [2]
        "$.items[?(@.qty > 2 && @.price < 5)].sku": [SKU-2]
        "$.items[?(@.sku=='none')]": { exists: false }
    capture:
      cheap: { path: "$.items[?(@.price < 5)].sku" }
  - http: { url: /text }
    expect:
      regex:
        - { regex: 'id=(\\d+)', value: "42" }
        - { regex: 'ref=(\\w+)', from: { header: Location }, value: { matches: "^AB" } }
        - { regex: 'created' }
    capture:
      orderId: { regex: 'id=(\\d+)', from: body }
      ref: { regex: 'ref=(\\w+)', from: { header: location } }
  - http: { url: "/items?cheap={{cheap}}&id={{orderId}}&ref={{ref}}" }
`,
    });
    try {
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.ok(server.requests.some((q) => q.url === '/items?cheap=SKU-2&id=42&ref=AB12'));
      const report = JSON.parse(await readFile(path.join(p.dir, 'reports', 'flowrun.json'), 'utf8'));
      assert.deepEqual(report.scenarios[0].steps[1].captures, { orderId: '42', ref: 'AB12' });
    } finally {
      await p.cleanup();
    }
  });

  it('a regex that does not match fails with its source and location', async () => {
    const p = await project({
      'environments/local.yaml': env(),
      'scenarios/miss.yaml': `name: Regex misses
steps:
  - http: { url: /text }
    expect:
      regex: { regex: 'id=(\\d+)', value: "7" }
`,
    });
    try {
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 1);
      assert.match(
        r.stdout,
        /regex \/id=\(\\d\+\)\/ in body: expected "7", got "42"\s+at scenarios\/miss\.yaml:5:7/,
      );
    } finally {
      await p.cleanup();
    }
  });

  it('refuses script evaluation in a filter at run time', async () => {
    const p = await project({
      'environments/local.yaml': env(),
      'scenarios/evil.yaml': `name: Evil filter
steps:
  - http: { url: /items }
    expect:
      body:
        "$.items[?(@.constructor.constructor('return process')().exit(7))]": { length: 0 }
`,
    });
    try {
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /invalid JSONPath .*Cannot read properties/);
    } finally {
      await p.cleanup();
    }
  });

  it('a JSONPath or regex with a syntax error is a located load error (exit 2, nothing runs)', async () => {
    const p = await project({
      'environments/local.yaml': env(),
      'scenarios/bad.yaml': `name: Bad selectors
steps:
  - http: { url: /items }
    expect:
      body:
        "$.items[?(@.sku=='A']": [1]
      "$.items[": 1
    capture:
      a: "$.a."
      b: { regex: 'id=(\\d+' }
`,
    });
    try {
      const before = server.requests.length;
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      const out = r.stdout + r.stderr;
      assert.match(
        out,
        /scenarios\/bad\.yaml:6:9: error: invalid JSONPath \$\.items\[\?\(@\.sku=='A'\]: unexpected "\]" at character 21/,
      );
      assert.match(out, /scenarios\/bad\.yaml:7:7: error: invalid JSONPath \$\.items\[: unclosed "\["/);
      assert.match(out, /scenarios\/bad\.yaml:9:10: error: invalid JSONPath \$\.a\.: it ends with a dot/);
      assert.match(out, /scenarios\/bad\.yaml:10:19: error: invalid regex: .*Unterminated group/);
      assert.equal(server.requests.length, before);
    } finally {
      await p.cleanup();
    }
  });
});
