import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpServer, json, project, runCli } from '../helpers/cli.js';

describe('data files: parameters: { file } makes one instance per row', () => {
  let server: Awaited<ReturnType<typeof httpServer>>;
  before(async () => {
    server = await httpServer((req, res) => json(res, 200, { url: req.url }));
  });
  after(() => server.close());
  const env = () => `name: local\nbaseUrl: ${server.url}\n`;
  const names = async (dir: string) =>
    (
      JSON.parse(await readFile(path.join(dir, 'reports/flowrun.json'), 'utf8')) as {
        scenarios: { name: string; status: string; parameters: Record<string, unknown> }[];
      }
    ).scenarios.map((s) => [s.name, s.status, s.parameters]);

  it('CSV (with a name column), JSON and YAML rows; columns are variables; lists multiply', async () => {
    const p = await project({
      'environments/local.yaml': env(),
      'scenarios/data/users.csv':
        'name,email,role\nadmin user,admin@example.com,admin\n"Doe, Jane",jane@example.com,viewer\n',
      'scenarios/data/skus.json': JSON.stringify([
        { sku: 'SKU-1', qty: 2 },
        { sku: 'SKU-2', qty: 1 },
      ]),
      // YAML data files live outside scenarios/ (every YAML file there is read as a scenario).
      'data/regions.yaml': '- region: eu\n- region: us\n',
      'scenarios/users.yaml': `name: Login
parameters: { file: data/users.csv }
steps:
  - http: { url: "/login/{{email}}?role={{role}}" }
    expect: { body: { $.url: "/login/{{email}}?role={{role}}" } }
`,
      'scenarios/skus.yaml': `name: Order
parameters:
  file: data/skus.json
  currency: [RUB, USD]
steps:
  - http: { url: "/order/{{sku}}?qty={{qty}}&currency={{currency}}" }
`,
      'scenarios/regions.yaml': `name: Region
parameters: { file: ../data/regions.yaml }
steps:
  - http: { url: "/region/{{region}}" }
`,
    });
    try {
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.deepEqual(await names(p.dir), [
        ['Region [region=eu]', 'passed', { region: 'eu' }],
        ['Region [region=us]', 'passed', { region: 'us' }],
        ['Order [sku=SKU-1, qty=2, currency=RUB]', 'passed', { sku: 'SKU-1', qty: 2, currency: 'RUB' }],
        ['Order [sku=SKU-1, qty=2, currency=USD]', 'passed', { sku: 'SKU-1', qty: 2, currency: 'USD' }],
        ['Order [sku=SKU-2, qty=1, currency=RUB]', 'passed', { sku: 'SKU-2', qty: 1, currency: 'RUB' }],
        ['Order [sku=SKU-2, qty=1, currency=USD]', 'passed', { sku: 'SKU-2', qty: 1, currency: 'USD' }],
        ['Login [admin user]', 'passed', { name: 'admin user', email: 'admin@example.com', role: 'admin' }],
        ['Login [Doe, Jane]', 'passed', { name: 'Doe, Jane', email: 'jane@example.com', role: 'viewer' }],
      ]);
      assert.ok(server.requests.some((q) => q.url === '/login/jane@example.com?role=viewer'));
      const list = await runCli(['list', '--grep', 'Doe, Jane'], { cwd: p.dir });
      assert.match(list.stdout, /scenarios\/users\.yaml\s+Login \[Doe, Jane\]/);
    } finally {
      await p.cleanup();
    }
  });

  it('a missing file, a ragged CSV row, an empty file and an unknown column are located load errors (exit 2)', async () => {
    const p = await project({
      'environments/local.yaml': env(),
      'scenarios/data/ragged.csv': 'email,role\na@example.com,admin\nb@example.com\n',
      'scenarios/data/empty.csv': '',
      'scenarios/data/ok.csv': 'email\nx@example.com\n',
      'scenarios/missing.yaml':
        'name: Missing\nparameters: { file: data/nope.csv }\nsteps:\n  - http: { url: /x }\n',
      'scenarios/ragged.yaml':
        'name: Ragged\nparameters: { file: data/ragged.csv }\nsteps:\n  - http: { url: /x }\n',
      'scenarios/empty.yaml':
        'name: Empty\nparameters:\n  file: data/empty.csv\nsteps:\n  - http: { url: /x }\n',
      'scenarios/column.yaml':
        'name: Column\nparameters: { file: data/ok.csv }\nsteps:\n  - http: { url: "/{{emial}}" }\n',
      'scenarios/each.yaml':
        'name: Each\nsteps:\n  - http: { url: /x }\n    forEach: { items: { file: data/gone.json }, as: row }\n',
    });
    const before = server.requests.length;
    try {
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(
        r.stderr,
        /scenarios\/missing\.yaml:2:21: error: data file not found: scenarios\/data\/nope\.csv/,
      );
      assert.match(
        r.stderr,
        /scenarios\/data\/ragged\.csv:3:1: error: scenarios\/data\/ragged\.csv: row on line 3 has a different number of fields than the header/,
      );
      assert.match(
        r.stderr,
        /scenarios\/empty\.yaml:3:9: error: data file scenarios\/data\/empty\.csv is empty/,
      );
      assert.match(
        r.stderr,
        /scenarios\/column\.yaml:4:18: error: unknown variable "emial" in "\/\{\{emial\}\}"/,
      );
      assert.match(r.stderr, /did you mean "email"\?/);
      assert.match(
        r.stderr,
        /scenarios\/each\.yaml:4:31: error: data file not found: scenarios\/data\/gone\.json/,
      );
      assert.equal(server.requests.length, before, 'nothing ran');
    } finally {
      await p.cleanup();
    }
  });
});
