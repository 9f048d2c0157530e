import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpServer, json, project, runCli } from '../helpers/cli.js';

const SCENARIO = `name: Checkout
covers: ["orders → payments", "{{gateway}}"]
parameters:
  gateway:
    - stripe
    - cloudpayments
    - yookassa
  currency: [RUB, USD]
steps:
  - name: pay
    http: { method: POST, url: "/pay/{{gateway}}", json: { currency: "{{currency}}" } }
    expect:
      status: 201
      body: { $.gateway: "{{gateway}}" }
`;

interface Scenario {
  id: string;
  name: string;
  status: string;
  parameters: Record<string, string>;
  covers: string[];
}

describe('data-driven: parameters give one instance per combination', () => {
  let server: Awaited<ReturnType<typeof httpServer>>;
  let p: Awaited<ReturnType<typeof project>>;
  before(async () => {
    server = await httpServer((req, res) => {
      const gateway = req.url.split('/')[2];
      const { currency } = JSON.parse(req.body || '{}') as { currency?: string };
      // yookassa refuses dollars: one combination of six fails.
      json(res, gateway === 'yookassa' && currency === 'USD' ? 422 : 201, { gateway });
    });
    p = await project({
      'environments/local.yaml': `name: local\nbaseUrl: ${server.url}\n`,
      'scenarios/checkout.yaml': SCENARIO,
    });
  });
  after(async () => {
    await p.cleanup();
    await server.close();
  });

  const report = async (): Promise<Scenario[]> =>
    (
      JSON.parse(await readFile(path.join(p.dir, 'reports/flowrun.json'), 'utf8')) as {
        scenarios: Scenario[];
      }
    ).scenarios;

  it('runs the cartesian product, names each instance by its values and reports each separately', async () => {
    const r = await runCli(['--env', 'local'], { cwd: p.dir });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /5 passed, 1 failed \(6 total\)/);
    assert.match(r.stdout, /✗ Checkout \[gateway=yookassa, currency=USD\]/);
    assert.match(r.stdout, /✓ Checkout \[gateway=stripe, currency=RUB\]/);
    const list = await report();
    assert.deepEqual(
      list.map((s) => [s.name, s.status, s.parameters, s.covers]),
      [
        [
          'Checkout [gateway=stripe, currency=RUB]',
          'passed',
          { gateway: 'stripe', currency: 'RUB' },
          ['orders → payments', 'stripe'],
        ],
        [
          'Checkout [gateway=stripe, currency=USD]',
          'passed',
          { gateway: 'stripe', currency: 'USD' },
          ['orders → payments', 'stripe'],
        ],
        [
          'Checkout [gateway=cloudpayments, currency=RUB]',
          'passed',
          { gateway: 'cloudpayments', currency: 'RUB' },
          ['orders → payments', 'cloudpayments'],
        ],
        [
          'Checkout [gateway=cloudpayments, currency=USD]',
          'passed',
          { gateway: 'cloudpayments', currency: 'USD' },
          ['orders → payments', 'cloudpayments'],
        ],
        [
          'Checkout [gateway=yookassa, currency=RUB]',
          'passed',
          { gateway: 'yookassa', currency: 'RUB' },
          ['orders → payments', 'yookassa'],
        ],
        [
          'Checkout [gateway=yookassa, currency=USD]',
          'failed',
          { gateway: 'yookassa', currency: 'USD' },
          ['orders → payments', 'yookassa'],
        ],
      ],
    );
    assert.equal(new Set(list.map((s) => s.id)).size, 6, 'each instance has its own id');
  });

  it('selects instances with --grep on the name and with file:line on a parameter value', async () => {
    const grep = await runCli(['--env', 'local', '--grep', '[gateway=stripe, currency=USD]'], {
      cwd: p.dir,
    });
    assert.equal(grep.code, 0, grep.stdout + grep.stderr);
    // Taken literally, not as a regex character class that would match every name.
    assert.deepEqual(
      (await report()).map((s) => s.name),
      ['Checkout [gateway=stripe, currency=USD]'],
    );
    const regex = await runCli(['--env', 'local', '--grep', 'stripe.*RUB|cloudpayments, currency=USD'], {
      cwd: p.dir,
    });
    assert.equal(regex.code, 0, regex.stdout + regex.stderr);
    assert.deepEqual(
      (await report()).map((s) => s.name),
      ['Checkout [gateway=stripe, currency=RUB]', 'Checkout [gateway=cloudpayments, currency=USD]'],
    );
    // Line 6 is "- cloudpayments".
    const line = await runCli(['--env', 'local', 'scenarios/checkout.yaml:6'], { cwd: p.dir });
    assert.equal(line.code, 0, line.stdout + line.stderr);
    assert.deepEqual(
      (await report()).map((s) => s.name),
      ['Checkout [gateway=cloudpayments, currency=RUB]', 'Checkout [gateway=cloudpayments, currency=USD]'],
    );
    const whole = await runCli(['--env', 'local', 'scenarios/checkout.yaml:1'], { cwd: p.dir });
    assert.equal(whole.code, 1);
    assert.equal((await report()).length, 6, 'a line outside parameters: selects every instance');
  });

  it('list shows every instance with its rendered covers', async () => {
    const r = await runCli(['list', '--json'], { cwd: p.dir });
    assert.equal(r.code, 0, r.stderr);
    const listed = JSON.parse(r.stdout) as { name: string; covers: string[] }[];
    assert.equal(listed.length, 6);
    assert.deepEqual(listed[2].covers, ['orders → payments', 'cloudpayments']);
  });
});
