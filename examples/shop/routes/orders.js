import { GatewayError } from '../lib/gateways.js';
import { HttpError } from '../lib/http.js';
import { createOrder, listOrders, loadOrder, loadOwnOrder, parseGateway } from '../lib/orders.js';
import { chargeOrder, confirmPayment, refundOrder, sendConfirmation } from '../lib/payments.js';
import { authenticate } from './auth.js';

// Orders, payments, refunds, the processing task, shipping and task status.

function gatewayFailure(err, orderId) {
  return new HttpError(502, `${err.service}_gateway_error`, err.message, {
    order_id: orderId,
    ...(err.upstreamStatus ? { upstream_status: err.upstreamStatus } : {}),
  });
}

/** Maps a charge outcome to the HTTP answer shared by /pay and /pay/confirm. */
async function paymentAnswer(ctx, orderId, { outcome, payment }) {
  const order = await loadOrder(ctx.pool, orderId);
  if (outcome === 'paid') {
    // The confirmation email goes out after the response, like a queued notification.
    setImmediate(() => void sendConfirmation(ctx, orderId));
    return { status: 200, body: order };
  }
  if (outcome === 'pending')
    return { status: 202, body: { ...order, payment: { id: payment.id, status: 'pending' } } };
  throw new HttpError(
    402,
    'payment_declined',
    `the payment gateway declined the payment (status ${payment.status})`,
    {
      order,
    },
  );
}

export function registerOrderRoutes(router) {
  router.add('POST', '/api/orders', async ({ ctx, req, body }) => {
    const user = await authenticate(ctx, req);
    const partner = body.partner ?? null;
    if (partner !== null && (typeof partner !== 'string' || !/^[a-z0-9-]{1,40}$/.test(partner))) {
      throw new HttpError(422, 'validation_error', 'partner must be a lower-case partner id', {
        field: 'partner',
      });
    }
    const order = await createOrder(ctx, user, body);
    // A partner's referral is announced to the partner by a signed webhook.
    if (partner !== null) ctx.partners.orderCreated(order, partner);
    const headers = { location: `/api/orders/${order.id}` };
    // Paying by card charges automatically, in the background, shortly after checkout.
    if (order.payment_method === 'card') {
      const taskId = await ctx.tasks.enqueue('payment', order, user);
      return { status: 201, body: { ...order, task_id: taskId }, headers };
    }
    return { status: 201, body: order, headers };
  });

  router.add('GET', '/api/orders', async ({ ctx, req }) => {
    const user = await authenticate(ctx, req);
    const orders = await listOrders(ctx.pool, user);
    return { status: 200, body: { items: orders, count: orders.length } };
  });

  router.add('GET', '/api/orders/:id', async ({ ctx, req, params }) => {
    const user = await authenticate(ctx, req);
    const row = await loadOwnOrder(ctx.pool, user, params.id);
    return { status: 200, body: await loadOrder(ctx.pool, row.id) };
  });

  router.add('POST', '/api/orders/:id/pay', async ({ ctx, req, params, body }) => {
    const user = await authenticate(ctx, req);
    const row = await loadOwnOrder(ctx.pool, user, params.id);
    const gateway = parseGateway(body.gateway);
    try {
      return await paymentAnswer(ctx, row.id, await chargeOrder(ctx, row.id, { gateway }));
    } catch (err) {
      throw err instanceof GatewayError ? gatewayFailure(err, row.id) : err;
    }
  });

  router.add('POST', '/api/orders/:id/pay/confirm', async ({ ctx, req, params }) => {
    const user = await authenticate(ctx, req);
    const row = await loadOwnOrder(ctx.pool, user, params.id);
    try {
      return await paymentAnswer(ctx, row.id, await confirmPayment(ctx, row.id));
    } catch (err) {
      throw err instanceof GatewayError ? gatewayFailure(err, row.id) : err;
    }
  });

  router.add('POST', '/api/orders/:id/refund', async ({ ctx, req, params }) => {
    const user = await authenticate(ctx, req);
    const row = await loadOwnOrder(ctx.pool, user, params.id);
    try {
      const refund = await refundOrder(ctx, row.id);
      return { status: 200, body: { ...(await loadOrder(ctx.pool, row.id)), refund } };
    } catch (err) {
      throw err instanceof GatewayError ? gatewayFailure(err, row.id) : err;
    }
  });

  router.add('POST', '/api/orders/:id/process', async ({ ctx, req, params }) => {
    const user = await authenticate(ctx, req);
    const row = await loadOwnOrder(ctx.pool, user, params.id);
    if (row.status === 'processing') {
      throw new HttpError(409, 'already_processing', `order ${row.id} is being processed`);
    }
    if (row.status === 'refunded') throw new HttpError(409, 'order_refunded', `order ${row.id} was refunded`);
    if (row.tracking_number) {
      throw new HttpError(409, 'already_shipped', `order ${row.id} already has a shipment`);
    }
    const taskId = await ctx.tasks.enqueue('fulfilment', row, user);
    return {
      status: 202,
      body: { task_id: taskId, status: 'PENDING', order_id: row.id },
      headers: { location: `/api/tasks/${taskId}/status` },
    };
  });

  router.add('GET', '/api/orders/:id/tracking', async ({ ctx, req, params }) => {
    const user = await authenticate(ctx, req);
    const row = await loadOwnOrder(ctx.pool, user, params.id);
    if (!row.tracking_number) throw new HttpError(404, 'no_shipment', `order ${row.id} has no shipment yet`);
    let info;
    try {
      info = await ctx.gateways.shipping.track(row.tracking_number);
    } catch (err) {
      throw err instanceof GatewayError ? gatewayFailure(err, row.id) : err;
    }
    // The provider is the source of truth for delivery: once it has the parcel, the order is shipped.
    if (['in_transit', 'shipped', 'delivered'].includes(info?.status) && row.status === 'confirmed') {
      await ctx.pool.query(`UPDATE orders SET status = 'shipped', updated_at = now() WHERE id = $1`, [
        row.id,
      ]);
    }
    return { status: 200, body: { ...(info ?? {}), order_id: row.id, tracking_number: row.tracking_number } };
  });

  router.add('POST', '/api/shipping/calculate', async ({ ctx, body }) => {
    if (!ctx.gateways.shipping.configured) {
      throw new HttpError(503, 'shipping_not_configured', 'SHIPPING_URL is not set');
    }
    try {
      return { status: 200, body: await ctx.gateways.shipping.rates(body) };
    } catch (err) {
      throw err instanceof GatewayError ? gatewayFailure(err, body.order_id) : err;
    }
  });

  router.add('GET', '/api/tasks/:id/status', async ({ ctx, req, params }) => {
    const user = await authenticate(ctx, req);
    const task = await ctx.store.tasks.get(params.id);
    if (!task || task.user_id !== user.id) {
      throw new HttpError(404, 'task_not_found', `task ${params.id} not found`);
    }
    const { user_id: _user, ...visible } = task;
    return { status: 200, body: visible };
  });
}
