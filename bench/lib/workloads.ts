// The same workload written for each tool. Per scenario: log in, capture the
// token, create an order with the bearer token, capture its id, get the order
// and check status 200, `$.status == confirmed` and 3 items.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const pad = (i: number): string => String(i).padStart(5, '0');

function flowrunScenario(i: number): string {
  return `name: order flow ${pad(i)}
tags: [bench]
steps:
  - name: login
    http:
      method: POST
      url: /login
      json: { user: user-${i}, password: secret }
    expect:
      status: 200
    capture:
      token: $.token
  - name: create order
    http:
      method: POST
      url: /orders
      headers: { Authorization: "Bearer {{token}}" }
      json: { sku: SKU-1, quantity: 2 }
    expect:
      status: 201
    capture:
      orderId: $.id
  - name: get order
    http:
      method: GET
      url: /orders/{{orderId}}
      headers: { Authorization: "Bearer {{token}}" }
    expect:
      status: 200
      body:
        $.status: confirmed
        $.items: { length: 3 }
`;
}

/** Writes N flowrun scenario files into `dir` (emptied first). */
export function writeFlowrunScenarios(dir: string, n: number): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (let i = 1; i <= n; i++) writeFileSync(join(dir, `order-flow-${pad(i)}.yaml`), flowrunScenario(i));
}

/** One flowrun file whose `parameters:` expands to N scenario instances. */
export function writeFlowrunParameterised(dir: string, n: number): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const values = Array.from({ length: n }, (_, i) => i + 1).join(', ');
  const text = flowrunScenario(0)
    .replace('name: order flow 00000', 'name: order flow {{user}}')
    .replace('user: user-0', 'user: "user-{{user}}"')
    .replace('tags: [bench]', `tags: [bench]\nparameters:\n  user: [${values}]`);
  writeFileSync(join(dir, 'order-flow.yaml'), text);
}

/** The flowrun environment file pointing at the running target server. */
export function writeFlowrunEnvironment(root: string, baseUrl: string): void {
  mkdirSync(join(root, 'environments'), { recursive: true });
  writeFileSync(join(root, 'environments', 'bench.yaml'), `name: bench\nbaseUrl: ${baseUrl}\n`);
}

/** Step CI: N tests in one workflow; the host comes from `-e host=...`. */
export function writeStepciWorkflow(file: string, n: number): void {
  const lines = ['version: "1.1"', 'name: flowrun bench', 'env:', '  host: http://127.0.0.1:1', 'tests:'];
  for (let i = 1; i <= n; i++) {
    lines.push(
      `  order-flow-${pad(i)}:`,
      `    name: order flow ${pad(i)}`,
      '    steps:',
      '      - name: login',
      '        http:',
      '          url: ${{env.host}}/login',
      '          method: POST',
      `          json: { user: user-${i}, password: secret }`,
      '          captures:',
      '            token: { jsonpath: $.token }',
      '          check:',
      '            status: 200',
      '      - name: create order',
      '        http:',
      '          url: ${{env.host}}/orders',
      '          method: POST',
      '          headers: { Authorization: "Bearer ${{captures.token}}" }',
      '          json: { sku: SKU-1, quantity: 2 }',
      '          captures:',
      '            orderId: { jsonpath: $.id }',
      '          check:',
      '            status: 201',
      '      - name: get order',
      '        http:',
      '          url: ${{env.host}}/orders/${{captures.orderId}}',
      '          method: GET',
      '          headers: { Authorization: "Bearer ${{captures.token}}" }',
      '          check:',
      '            status: 200',
      '            jsonpath:',
      '              $.status: confirmed',
      '              $.items.length: 3',
    );
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

function newmanRequest(
  name: string,
  method: string,
  url: string,
  test: string[],
  body?: unknown,
  auth = true,
) {
  const header = [
    ...(body === undefined ? [] : [{ key: 'Content-Type', value: 'application/json' }]),
    ...(auth ? [{ key: 'Authorization', value: 'Bearer {{token}}' }] : []),
  ];
  return {
    name,
    event: [{ listen: 'test', script: { type: 'text/javascript', exec: test } }],
    request: {
      method,
      header,
      ...(body === undefined ? {} : { body: { mode: 'raw', raw: JSON.stringify(body) } }),
      url: `{{baseUrl}}${url}`,
    },
  };
}

/** Newman: one collection with the 3 requests and their tests, run with `-n N`. */
export function writeNewmanCollection(file: string): void {
  const collection = {
    info: {
      name: 'flowrun bench',
      schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    },
    item: [
      newmanRequest(
        'login',
        'POST',
        '/login',
        [
          "pm.test('status 200', () => pm.response.to.have.status(200));",
          "pm.collectionVariables.set('token', pm.response.json().token);",
        ],
        { user: 'user-{{iteration}}', password: 'secret' },
        false,
      ),
      newmanRequest(
        'create order',
        'POST',
        '/orders',
        [
          "pm.test('status 201', () => pm.response.to.have.status(201));",
          "pm.collectionVariables.set('orderId', pm.response.json().id);",
        ],
        { sku: 'SKU-1', quantity: 2 },
      ),
      newmanRequest('get order', 'GET', '/orders/{{orderId}}', [
        "pm.test('status 200', () => pm.response.to.have.status(200));",
        'const body = pm.response.json();',
        "pm.test('confirmed', () => pm.expect(body.status).to.eql('confirmed'));",
        "pm.test('3 items', () => pm.expect(body.items).to.have.lengthOf(3));",
      ]),
    ],
    event: [
      {
        listen: 'prerequest',
        script: {
          type: 'text/javascript',
          exec: ["pm.variables.set('iteration', String(pm.info.iteration + 1));"],
        },
      },
    ],
    variable: [
      { key: 'token', value: '' },
      { key: 'orderId', value: '' },
    ],
  };
  writeFileSync(file, `${JSON.stringify(collection, null, 2)}\n`);
}
