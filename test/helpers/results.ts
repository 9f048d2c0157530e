/**
 * Builders for realistic RunResult fixtures: reporters are tested on results that look like
 * real runs (several environments, parameters, HTTP exchanges, poll attempts, diffs).
 */
import type {
  AssertionResult,
  HttpExchange,
  Location,
  PollAttempt,
  RunResult,
  ScenarioResult,
  Status,
  StepResult,
} from '../../src/types.js';

const T0 = Date.parse('2025-03-14T09:26:53.000Z');
const iso = (offsetMs: number): string => new Date(T0 + offsetMs).toISOString();
export const loc = (file: string, line: number, col = 5): Location => ({ file, line, col });

export function exchange(
  method: string,
  url: string,
  status: number,
  body: unknown,
  options: { requestBody?: unknown; headers?: Record<string, string>; durationMs?: number } = {},
): HttpExchange {
  const headers = { 'content-type': 'application/json', ...(options.headers ?? {}) };
  const data = options.requestBody === undefined ? '' : ` --data '${JSON.stringify(options.requestBody)}'`;
  const h = Object.entries(headers)
    .map(([k, v]) => ` -H '${k}: ${v}'`)
    .join('');
  return {
    request: { method, url, headers, body: options.requestBody },
    response: {
      status,
      headers: { 'content-type': 'application/json', 'set-cookie': 'sid=abc123; HttpOnly' },
      body,
      durationMs: options.durationMs ?? 42,
    },
    curl: `curl -X ${method} '${url}'${h}${data}`,
  };
}

export function assertion(
  path: string,
  expected: unknown,
  actual: unknown,
  extra: Partial<AssertionResult> = {},
) {
  const passed = extra.passed ?? JSON.stringify(expected) === JSON.stringify(actual);
  const result: AssertionResult = { path, matcher: 'eq', expected, actual, passed, ...extra };
  if (!passed && !result.message) {
    result.message = `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
  }
  return result;
}

export interface StepInit extends Partial<StepResult> {
  name: string;
}

export function step(file: string, line: number, init: StepInit): StepResult {
  const status: Status =
    init.status ?? (init.error || init.assertions?.some((a) => !a.passed) ? 'failed' : 'passed');
  return {
    kind: 'http',
    phase: 'steps',
    status,
    location: loc(file, line),
    startedAt: iso(line * 10),
    durationMs: 50,
    attempts: 1,
    assertions: [],
    captures: {},
    ...init,
  };
}

export function pollAttempts(count: number, lastPassed: boolean, path = '$.status'): PollAttempt[] {
  return Array.from({ length: count }, (_, i) => ({
    attempt: i + 1,
    at: iso(1000 + i * 500),
    durationMs: 20 + i,
    observed: { [path]: i === count - 1 && lastPassed ? 'confirmed' : 'pending' },
    passed: i === count - 1 && lastPassed,
  }));
}

export interface ScenarioInit extends Partial<ScenarioResult> {
  name: string;
  file: string;
}

/** A scenario whose status follows from its steps unless given. */
export function scenario(init: ScenarioInit): ScenarioResult {
  const steps = init.steps ?? [];
  const status: Status =
    init.status ?? (init.error || steps.some((s) => s.status === 'failed') ? 'failed' : 'passed');
  const params = init.parameters ?? {};
  const paramText = Object.keys(params).length
    ? `[${Object.entries(params)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(',')}]`
    : '';
  const environment = init.environment ?? 'local';
  return {
    id: `${init.file}#${init.name}${paramText}@${environment}`,
    location: loc(init.file, 2, 1),
    environment,
    tags: [],
    covers: [],
    parameters: params,
    startedAt: iso(0),
    durationMs: steps.reduce((sum, s) => sum + s.durationMs, 0) || 10,
    ...init,
    attempts: init.attempts ?? (status === 'flaky' ? 2 : 1),
    status,
    steps,
  };
}

/** Computes totals and success rate the way the engine does. */
export function run(scenarios: ScenarioResult[], extra: Partial<RunResult> = {}): RunResult {
  const count = (s: Status) => scenarios.filter((x) => x.status === s).length;
  const totals = {
    scenarios: scenarios.length,
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    flaky: count('flaky'),
  };
  const ran = totals.scenarios - totals.skipped;
  const environments = [...new Set(scenarios.map((s) => s.environment))];
  return {
    runId: 'run-20250314-092653',
    flowrunVersion: '0.1.0',
    startedAt: iso(0),
    endedAt: iso(12_345),
    durationMs: 12_345,
    environments,
    totals,
    successRate: ran === 0 ? 100 : Math.round(((totals.passed + totals.flaky) / ran) * 10000) / 100,
    interrupted: false,
    scenarios,
    errors: [],
    ...extra,
  };
}

export const MATRIX_YAML = `integration_points:
  internal_modules:
    - "auth → products"
    - "products -> orders"
    - "orders → payments"
    - "payments → notifications"
    - "cart → orders"
  external_services:
    payment_gateways: [stripe, cloudpayments, yookassa]
    email_services: [sendgrid, smtp]
  data_flows:
    - user_registration_flow
    - product_purchase_flow
`;

const CHECKOUT = 'scenarios/checkout.yaml';
const AUTH = 'scenarios/auth/register.yaml';
const GATEWAYS = 'scenarios/payments/gateways.yaml';

/** The checkout scenario: passes on local, fails on staging with a body diff. */
function checkout(environment: string, fail: boolean): ScenarioResult {
  const order = {
    id: 'ord_1',
    status: fail ? 'failed' : 'confirmed',
    items: [{ sku: 'SKU-1', qty: 2 }],
    total: 200,
  };
  return scenario({
    name: 'Checkout charges the card and confirms the order',
    file: CHECKOUT,
    environment,
    tags: ['smoke', 'orders'],
    covers: ['cart → orders', 'orders → payments', 'payments → notifications', 'product_purchase_flow'],
    steps: [
      step(CHECKOUT, 40, {
        name: 'register',
        exchange: exchange(
          'POST',
          'http://127.0.0.1:8000/api/auth/register',
          201,
          { user: { email: 'b@x.io' } },
          {
            requestBody: { email: 'b@x.io', password: '***' },
          },
        ),
        assertions: [assertion('status', 201, 201)],
        captures: { token: '***' },
      }),
      step(CHECKOUT, 52, {
        name: 'place order',
        exchange: exchange('POST', 'http://127.0.0.1:8000/api/orders', 201, order, {
          requestBody: { sku: 'SKU-1', quantity: 2 },
          headers: { Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.secret-token' },
        }),
        assertions: [assertion('status', [201, 202], 201, { matcher: 'oneOf', passed: true })],
      }),
      step(CHECKOUT, 66, {
        name: 'order gets confirmed',
        durationMs: 2100,
        attempts: 5,
        poll: { attempts: pollAttempts(5, !fail), timedOut: fail, timeoutMs: 2000 },
        exchange: exchange('GET', 'http://127.0.0.1:8000/api/orders/ord_1', 200, order, {
          headers: { Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.secret-token', Cookie: 'sid=s3cr3t' },
        }),
        assertions: [
          assertion('body $.status', 'confirmed', order.status, { location: loc(CHECKOUT, 79, 11) }),
          assertion('body $', { status: 'confirmed', items: [{ sku: 'SKU-1', qty: 2 }] }, order, {
            matcher: 'contains',
            passed: !fail,
            location: loc(CHECKOUT, 80, 11),
          }),
        ],
      }),
      step(CHECKOUT, 84, {
        name: 'order row is paid',
        kind: 'sql',
        ...(fail ? { status: 'skipped' as Status, skipReason: 'an earlier step failed' } : {}),
        output: { rowCount: 1, rows: [{ status: 'confirmed', payment_status: 'paid' }] },
        assertions: fail ? [] : [assertion('rowCount', 1, 1)],
      }),
    ],
  });
}

/**
 * A realistic run over two environments: passed, failed (assertion diff and a connection
 * error), skipped, flaky, and a parametrised scenario (one instance per gateway).
 */
export function sampleRun(): RunResult {
  const scenarios: ScenarioResult[] = [];
  for (const env of ['local', 'staging']) {
    scenarios.push(checkout(env, env === 'staging'));
    scenarios.push(
      scenario({
        name: 'Register & log in <new> user',
        file: AUTH,
        environment: env,
        tags: ['smoke', 'auth'],
        covers: ['auth → products', 'user_registration_flow'],
        status: env === 'local' ? 'flaky' : 'passed',
        attempts: env === 'local' ? 2 : 1,
        steps: [
          step(AUTH, 12, {
            name: 'register',
            exchange: exchange('POST', 'http://127.0.0.1:8000/api/auth/register', 201, { ok: true }),
            assertions: [assertion('status', 201, 201)],
          }),
        ],
      }),
    );
    for (const gateway of ['stripe', 'cloudpayments', 'yookassa']) {
      const broken = gateway === 'yookassa' && env === 'staging';
      scenarios.push(
        scenario({
          name: 'Gateway charge',
          file: GATEWAYS,
          environment: env,
          tags: ['payments'],
          covers: ['orders -> payments', gateway],
          parameters: { gateway },
          steps: [
            step(GATEWAYS, 20, {
              name: 'charge',
              ...(broken
                ? {
                    error: {
                      message: `connect ECONNREFUSED 10.0.0.7:443 (${gateway} sandbox)`,
                      location: loc(GATEWAYS, 22, 7),
                    },
                  }
                : { exchange: exchange('POST', `http://127.0.0.1:1080/${gateway}/charge`, 201, { ok: 1 }) }),
            }),
          ],
        }),
      );
    }
    scenarios.push(
      scenario({
        name: 'Newsletter via SendGrid',
        file: 'scenarios/email.yaml',
        environment: env,
        tags: ['email', 'slow'],
        covers: ['sendgrid'],
        status: 'skipped',
        skipReason: 'SendGrid sandbox is down (JIRA-42)',
      }),
    );
  }
  return run(scenarios);
}

/** `count` scenarios spread over statuses, tags and two environments: for size and speed tests. */
export function largeRun(count: number): RunResult {
  const points = ['auth → products', 'orders → payments', 'cart → orders', 'stripe', 'smtp'];
  const scenarios: ScenarioResult[] = [];
  for (let i = 0; i < count; i++) {
    const env = i % 2 === 0 ? 'local' : 'staging';
    const file = `scenarios/area-${i % 40}/case-${Math.floor(i / 80)}.yaml`;
    const fail = i % 17 === 0;
    scenarios.push(
      scenario({
        name: `Scenario ${i} ${fail ? 'rejects' : 'accepts'} order`,
        file,
        environment: env,
        tags: [i % 3 === 0 ? 'smoke' : 'regression', `area-${i % 40}`],
        covers: [points[i % points.length]],
        status: i % 23 === 0 ? 'skipped' : i % 29 === 0 ? 'flaky' : undefined,
        steps: Array.from({ length: 4 }, (_, k) =>
          step(file, 10 + k * 8, {
            name: `step ${k}`,
            exchange: exchange('GET', `http://127.0.0.1:8000/api/items/${i}/${k}`, 200, {
              id: i,
              k,
              list: [1, 2, 3],
            }),
            assertions: [
              fail && k === 3
                ? assertion('body $.id', i + 1, i, { location: loc(file, 12 + k * 8) })
                : assertion('status', 200, 200),
            ],
          }),
        ),
      }),
    );
  }
  return run(scenarios);
}
