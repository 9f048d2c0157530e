import { GatewayError } from './gateways.js';
import { HttpError } from './http.js';
import { getOrderItems, getOrderRow, releaseOrder, reserveOrder } from './orders.js';

// Charging, confirming and refunding through the external payment gateway, plus the
// order-confirmation email. Amounts sent to the gateway are whole roubles (major units),
// the same integers as product prices and order totals.

// One money movement per order at a time; the app is a single process, so an in-memory
// set is enough to stop an automatic charge and a manual /pay from racing.
const busy = new Set();

async function exclusive(orderId, fn) {
  if (busy.has(orderId)) {
    throw new HttpError(
      409,
      'payment_in_progress',
      `a payment operation for order ${orderId} is already running`,
    );
  }
  busy.add(orderId);
  try {
    return await fn();
  } finally {
    busy.delete(orderId);
  }
}

async function recordPayment(ctx, row) {
  await ctx.pool.query(
    `INSERT INTO payments (order_id, kind, gateway, external_id, amount, status, error) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      row.orderId,
      row.kind,
      row.gateway ?? null,
      row.externalId ?? null,
      row.amount,
      row.status,
      row.error ?? null,
    ],
  );
}

async function markFailed(ctx, order, reason, gateway) {
  await ctx.pool.query(
    `UPDATE orders SET status = 'failed', payment_status = 'failed', failure_reason = $2, gateway = COALESCE($3, gateway),
       updated_at = now() WHERE id = $1`,
    [order.id, reason, gateway ?? null],
  );
  await releaseOrder(ctx, order.id);
  ctx.log.warn('payment failed', { order_id: order.id, reason });
}

/**
 * Charges the order's total. Resolves to { outcome: 'paid' | 'declined' | 'pending', payment }.
 * With `confirm` the order also moves to `confirmed` on success; the fulfilment task passes
 * false because it confirms only after the shipment exists. Gateway errors mark the order
 * failed and are rethrown as GatewayError.
 */
export function chargeOrder(ctx, orderId, { gateway, confirm = true } = {}) {
  return exclusive(orderId, async () => {
    const order = await getOrderRow(ctx.pool, orderId);
    if (order.payment_status === 'paid') {
      throw new HttpError(409, 'already_paid', `order ${orderId} is already paid`);
    }
    if (order.status === 'refunded') {
      throw new HttpError(409, 'order_refunded', `order ${orderId} was refunded`);
    }
    if (!order.inventory_reserved) await reserveOrder(ctx, orderId);

    const gw = gateway ?? order.gateway ?? undefined;
    const request = {
      amount: order.total,
      orderId: order.id,
      description: `Order #${order.id}`,
      gateway: gw,
    };
    let payment;
    try {
      payment = await ctx.gateways.payments.charge(request);
      if (ctx.config.bugs.has('double-charge')) {
        // Deliberate defect for flowrun's demo: a "retry" that fires even after success.
        // Both charges are recorded, as a real system's ledger would show them.
        await recordPayment(ctx, {
          orderId,
          kind: 'charge',
          gateway: gw,
          externalId: payment.id,
          amount: order.total,
          status: payment.status,
        });
        payment = await ctx.gateways.payments.charge(request);
      }
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      await recordPayment(ctx, {
        orderId,
        kind: 'charge',
        gateway: gw,
        amount: order.total,
        status: 'error',
        error: err.message,
      });
      await markFailed(ctx, order, err.message, gw);
      throw err;
    }
    const base = { orderId, kind: 'charge', gateway: gw, externalId: payment.id, amount: order.total };

    if (payment.status === 'succeeded') {
      await recordPayment(ctx, { ...base, status: 'succeeded' });
      await ctx.pool.query(
        `UPDATE orders SET payment_status = 'paid', payment_id = $2, gateway = COALESCE($3, gateway), failure_reason = NULL,
           status = CASE WHEN $4 THEN 'confirmed' ELSE status END, updated_at = now() WHERE id = $1`,
        [orderId, payment.id, gw ?? null, confirm],
      );
      ctx.log.info('payment succeeded', {
        order_id: orderId,
        payment_id: payment.id,
        amount: order.total,
        gateway: gw,
      });
      return { outcome: 'paid', payment };
    }
    if (payment.status === 'pending') {
      // Needs confirmation (3-D Secure and the like): keep the reservation, remember the id.
      await recordPayment(ctx, { ...base, status: 'pending' });
      await ctx.pool.query(
        `UPDATE orders SET payment_id = $2, gateway = COALESCE($3, gateway), updated_at = now() WHERE id = $1`,
        [orderId, payment.id, gw ?? null],
      );
      return { outcome: 'pending', payment };
    }
    await recordPayment(ctx, { ...base, status: payment.status });
    await markFailed(ctx, order, `payment ${payment.status}`, gw);
    return { outcome: 'declined', payment };
  });
}

/** Asks the gateway about a pending payment and settles the order accordingly. */
export function confirmPayment(ctx, orderId) {
  return exclusive(orderId, async () => {
    const order = await getOrderRow(ctx.pool, orderId);
    if (order.payment_status === 'paid') {
      throw new HttpError(409, 'already_paid', `order ${orderId} is already paid`);
    }
    if (!order.payment_id || order.payment_status !== 'unpaid') {
      throw new HttpError(409, 'no_pending_payment', `order ${orderId} has no payment awaiting confirmation`);
    }
    const payment = await ctx.gateways.payments.status(order.payment_id);
    if (payment.status === 'succeeded') {
      await ctx.pool.query(
        `UPDATE orders SET payment_status = 'paid', status = 'confirmed', updated_at = now() WHERE id = $1`,
        [orderId],
      );
      await ctx.pool.query(
        `UPDATE payments SET status = 'succeeded' WHERE order_id = $1 AND external_id = $2`,
        [orderId, order.payment_id],
      );
      return { outcome: 'paid', payment };
    }
    if (payment.status === 'pending') return { outcome: 'pending', payment };
    await markFailed(ctx, order, `payment ${payment.status}`);
    return { outcome: 'declined', payment };
  });
}

/** Full refund of a paid order: gateway refund, stock returned, order and payment `refunded`. */
export function refundOrder(ctx, orderId) {
  return exclusive(orderId, async () => {
    const order = await getOrderRow(ctx.pool, orderId);
    if (order.payment_status === 'refunded') {
      throw new HttpError(409, 'already_refunded', `order ${orderId} is already refunded`);
    }
    if (order.payment_status !== 'paid') throw new HttpError(409, 'not_paid', `order ${orderId} is not paid`);

    const refund = await ctx.gateways.payments.refund({ paymentId: order.payment_id, amount: order.total });
    const base = {
      orderId,
      kind: 'refund',
      gateway: order.gateway,
      externalId: refund.id,
      amount: order.total,
    };
    if (['failed', 'declined', 'rejected', 'canceled'].includes(refund.status)) {
      await recordPayment(ctx, { ...base, status: refund.status });
      throw new HttpError(
        502,
        'refund_failed',
        `payment gateway refused the refund (status ${refund.status})`,
        {
          order_id: orderId,
        },
      );
    }
    await recordPayment(ctx, { ...base, status: refund.status });
    await ctx.pool.query(
      `UPDATE orders SET status = 'refunded', payment_status = 'refunded', updated_at = now() WHERE id = $1`,
      [orderId],
    );
    // The 'refund-keeps-stock' defect forgets to put the items back on the shelf.
    await releaseOrder(ctx, orderId, { returnStock: !ctx.config.bugs.has('refund-keeps-stock') });
    ctx.log.info('order refunded', { order_id: orderId, refund_id: refund.id, amount: order.total });
    return { id: refund.id, status: refund.status, amount: order.total };
  });
}

/**
 * Sends the order-confirmation email. Never throws: a mail outage must not undo a paid
 * order. Resolves to 'sent' | 'failed' | 'skipped' | 'not_configured'.
 */
export async function sendConfirmation(ctx, orderId) {
  if (ctx.config.bugs.has('skip-email')) return 'skipped';
  if (!ctx.gateways.email.configured) return 'not_configured';
  try {
    const order = await getOrderRow(ctx.pool, orderId);
    const items = await getOrderItems(ctx.pool, orderId);
    await ctx.gateways.email.send({
      to: order.email,
      template: 'order_confirmation',
      order_id: order.id,
      data: {
        total: order.total,
        currency: order.currency,
        items: items.map((i) => ({ sku: i.sku, quantity: i.quantity })),
      },
    });
    return 'sent';
  } catch (err) {
    ctx.log.warn('confirmation email failed', { order_id: orderId, err });
    return 'failed';
  }
}
