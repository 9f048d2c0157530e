import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpServer, json, project, runCli } from '../helpers/cli.js';

const WEBHOOK_KEY = 'whsec-test-0b1c';

/**
 * A small app that notifies a partner: POST /orders answers 202 at once, then posts the order to
 * `callback` signed with HMAC-SHA256 (`x-signature: sha256=<hex>`); `repeatAfterMs` sends the same
 * webhook a second time later, `wrongKey` signs with another key.
 */
async function partnerNotifier() {
  return httpServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/orders') return json(res, 404, { error: 'not found' });
    const order = JSON.parse(req.body) as {
      id: number;
      callback: string;
      repeatAfterMs?: number;
      wrongKey?: boolean;
    };
    const body = JSON.stringify({ event: 'order.created', id: order.id, at: new Date().toISOString() });
    const signature = createHmac('sha256', order.wrongKey ? 'another-key' : WEBHOOK_KEY)
      .update(body)
      .digest('hex');
    const send = () =>
      fetch(order.callback, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': `sha256=${signature}` },
        body,
        signal: AbortSignal.timeout(5000),
      }).catch(() => undefined);
    json(res, 202, { id: order.id });
    setTimeout(() => void send(), 50);
    if (order.repeatAfterMs) setTimeout(() => void send(), order.repeatAfterMs);
  });
}

const environment = (baseUrl: string) => `name: local
baseUrl: ${baseUrl}
secrets:
  webhookKey: ${WEBHOOK_KEY}
mocks:
  partner: { port: 0 }
`;

// Each scenario's mock matches its own order id: a late webhook of an earlier scenario is not its call.
const scenario = (name: string, order: string, verify: string) => `name: ${name}
mocks:
  - id: partnerWebhook
    server: partner
    request: { method: POST, path: /hooks/orders, json: { id: ${/id: (\d+)/.exec(order)![1]} } }
    response: { status: 204 }
steps:
  - name: place order
    http:
      method: POST
      url: /orders
      json: { ${order}, callback: "{{mocks.partner.url}}/hooks/orders" }
    expect: { status: 202 }
${verify}`;

describe('verify: what the mock received is data; timing of exactly/atMost', () => {
  let app: Awaited<ReturnType<typeof partnerNotifier>>;
  before(async () => {
    app = await partnerNotifier();
  });
  after(() => app.close());

  const report = async (dir: string) =>
    JSON.parse(await readFile(path.join(dir, 'reports', 'flowrun.json'), 'utf8')) as {
      scenarios: {
        name: string;
        status: string;
        steps: {
          name: string;
          status: string;
          durationMs: number;
          captures: Record<string, unknown>;
          error?: { message: string; location: { file: string; line: number } };
          assertions: { path: string; passed: boolean; expected: unknown; actual: unknown }[];
        }[];
      }[];
    };

  it('checks a webhook signature in one verify step (expect with {{request}}) and captures from it', async () => {
    const p = await project({
      'environments/local.yaml': environment(app.url),
      'scenarios/signed.yaml': scenario(
        'Partner gets a signed webhook',
        'id: 42',
        `  - name: the webhook was signed
    verify: { mock: partnerWebhook, times: { exactly: 1 }, within: 3s }
    expect:
      count: 1
      $.requests[0].headers['x-signature']: "sha256={{hmacSha256 secrets.webhookKey request.rawBody}}"
      $.requests[0].json.id: 42
      $.requests[0].method: POST
    capture:
      signature: $.requests[0].headers['x-signature']
      event: $.requests[0].json.event
`,
      ),
      'scenarios/forged.yaml': scenario(
        'Partner gets a forged webhook',
        'id: 13, wrongKey: true',
        `  - name: the webhook was signed
    verify: { mock: partnerWebhook, times: { exactly: 1 }, within: 3s }
    expect:
      $.requests[0].headers['x-signature']: "sha256={{hmacSha256 secrets.webhookKey request.rawBody}}"
`,
      ),
    });
    try {
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const { scenarios } = await report(p.dir);
      const signed = scenarios.find((s) => s.name === 'Partner gets a signed webhook')!;
      assert.equal(signed.status, 'passed', JSON.stringify(signed.steps[1].error));
      const step = signed.steps[1];
      assert.match(String(step.captures.signature), /^sha256=[0-9a-f]{64}$/);
      assert.equal(step.captures.event, 'order.created');
      assert.deepEqual(
        step.assertions.map((a) => [a.path, a.passed]),
        [
          ['times', true],
          ['count', true],
          ["$.requests[0].headers['x-signature']", true],
          ['$.requests[0].json.id', true],
          ['$.requests[0].method', true],
        ],
      );

      const forged = scenarios.find((s) => s.name === 'Partner gets a forged webhook')!;
      assert.equal(forged.status, 'failed');
      const failed = forged.steps[1];
      assert.match(
        failed.error!.message,
        /^\$\.requests\[0\]\.headers\['x-signature'\]: expected "sha256=[0-9a-f]{64}", got "sha256=[0-9a-f]{64}"/,
      );
      assert.equal(failed.error!.location.file, 'scenarios/forged.yaml');
      assert.equal(failed.error!.location.line, 17);
      // The secret itself never reaches the report.
      assert.doesNotMatch(JSON.stringify(scenarios), new RegExp(WEBHOOK_KEY));
    } finally {
      await p.cleanup();
    }
  });

  it('exactly: 1 within 2s fails when a second call comes 1 s later; atLeast ends early', async () => {
    const p = await project({
      'environments/local.yaml': environment(app.url),
      'scenarios/twice.yaml': scenario(
        'Partner is notified twice',
        'id: 7, repeatAfterMs: 1000',
        `  - name: notified once
    verify: { mock: partnerWebhook, times: { exactly: 1 }, within: 2s }
`,
      ),
      'scenarios/early.yaml': scenario(
        'atLeast does not wait for the window',
        'id: 8, repeatAfterMs: 1000',
        `  - name: notified at least once
    verify: { mock: partnerWebhook, times: { atLeast: 1 }, within: 10s }
`,
      ),
      'scenarios/once.yaml': scenario(
        'exactly watches the whole window',
        'id: 9',
        `  - name: notified once in the window
    verify: { mock: partnerWebhook, times: { exactly: "{{expected}}" }, within: 1500ms }
`,
      ).replace('mocks:', 'vars: { expected: "1" }\nmocks:'),
    });
    try {
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const { scenarios } = await report(p.dir);
      const twice = scenarios.find((s) => s.name === 'Partner is notified twice')!.steps[1];
      assert.equal(twice.status, 'failed');
      assert.match(
        twice.error!.message,
        /to be called exactly 1 time, but it was called 2 times \(waited up to 2s, \d+ checks\)/,
      );
      assert.deepEqual(twice.error!.location, { file: 'scenarios/twice.yaml', line: 14, col: 5 });
      assert.ok(twice.durationMs >= 900, `the second call came after ~1 s, step took ${twice.durationMs} ms`);

      const early = scenarios.find((s) => s.name === 'atLeast does not wait for the window')!.steps[1];
      assert.equal(early.status, 'passed');
      assert.ok(
        early.durationMs < 5000,
        `atLeast should end at the first call, not after the 10 s window; took ${early.durationMs} ms`,
      );

      const once = scenarios.find((s) => s.name === 'exactly watches the whole window')!.steps[1];
      assert.equal(once.status, 'passed', once.error?.message ?? '');
      assert.ok(once.durationMs >= 1400, `exactly should watch 1.5 s, took ${once.durationMs} ms`);
    } finally {
      await p.cleanup();
    }
  });
});
