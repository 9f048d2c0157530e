import { randomUUID } from 'node:crypto';
import { GatewayError } from './gateways.js';
import { HttpError } from './http.js';
import { getOrderItems, getOrderRow, reserveOrder } from './orders.js';
import { chargeOrder, sendConfirmation } from './payments.js';

// Background jobs in the style of a task queue, kept in-process: a job is recorded as
// PENDING, runs after TASK_DELAY_MS, and ends as SUCCESS (with a result) or FAILURE (with
// an error). The state lives in the store (Redis `task:<id>` or the `tasks` table) so
// clients and scenarios poll GET /api/tasks/:id/status exactly as they would a real queue.

/** kind 'payment': started by POST /api/orders with payment_method card. */
async function runPayment(ctx, orderId) {
  const { outcome, payment } = await chargeOrder(ctx, orderId, { confirm: true });
  if (outcome !== 'paid') {
    throw Object.assign(new Error(`payment ${payment.status} (payment ${payment.id ?? 'without id'})`), {
      result: { order_id: orderId, payment_id: payment.id, payment_status: payment.status },
    });
  }
  const email = await sendConfirmation(ctx, orderId);
  return { order_id: orderId, status: 'confirmed', payment_status: 'paid', payment_id: payment.id, email };
}

/** kind 'fulfilment': POST /api/orders/:id/process — reserve, charge, ship, confirm, email. */
async function runFulfilment(ctx, orderId) {
  const before = await getOrderRow(ctx.pool, orderId);
  const wasConfirmed = before.status === 'confirmed';
  const result = {
    order_id: orderId,
    inventory_reserved: false,
    payment_processed: false,
    shipping_created: false,
  };
  await ctx.pool.query(`UPDATE orders SET status = 'processing', updated_at = now() WHERE id = $1`, [
    orderId,
  ]);
  try {
    await reserveOrder(ctx, orderId);
    result.inventory_reserved = true;

    if (before.payment_status !== 'paid') {
      const { outcome, payment } = await chargeOrder(ctx, orderId, { confirm: false });
      if (outcome !== 'paid')
        throw new Error(`payment ${payment.status} (payment ${payment.id ?? 'without id'})`);
    }
    const paid = await getOrderRow(ctx.pool, orderId);
    result.payment_processed = true;
    result.payment_id = paid.payment_id;

    if (ctx.gateways.shipping.configured) {
      const items = await getOrderItems(ctx.pool, orderId);
      const shipment = await ctx.gateways.shipping.createShipment({
        orderId,
        address: paid.shipping_address,
        items: items.map((i) => ({ sku: i.sku, name: i.name, quantity: i.quantity })),
      });
      await ctx.pool.query(
        `UPDATE orders SET shipment_id = $2, tracking_number = $3, updated_at = now() WHERE id = $1`,
        [orderId, shipment.id, shipment.trackingNumber],
      );
      result.shipping_created = true;
      result.tracking_number = shipment.trackingNumber;
    } else {
      result.shipping = 'not_configured';
    }

    await ctx.pool.query(`UPDATE orders SET status = 'confirmed', updated_at = now() WHERE id = $1`, [
      orderId,
    ]);
    result.status = 'confirmed';
    // An order confirmed earlier (paid by card at checkout) already got its email.
    result.email = wasConfirmed ? 'already_sent' : await sendConfirmation(ctx, orderId);
    return result;
  } catch (err) {
    // A failed payment already marked the order failed; anything else (no stock, shipping
    // down) fails it here. A paid order stays paid and can be refunded.
    await ctx.pool.query(
      `UPDATE orders SET status = 'failed', failure_reason = COALESCE(failure_reason, $2), updated_at = now()
       WHERE id = $1 AND status = 'processing'`,
      [orderId, err.message],
    );
    throw Object.assign(err, { result });
  }
}

const HANDLERS = { payment: runPayment, fulfilment: runFulfilment };

export function createTaskRunner(ctx) {
  const timers = new Set();
  const running = new Set();
  let stopped = false;

  async function run(task) {
    ctx.log.info('task started', { task_id: task.task_id, kind: task.kind, order_id: task.order_id });
    try {
      const result = await HANDLERS[task.kind](ctx, task.order_id);
      await ctx.store.tasks.update(task.task_id, { status: 'SUCCESS', result });
      ctx.log.info('task succeeded', { task_id: task.task_id, kind: task.kind, order_id: task.order_id });
    } catch (err) {
      const known = err instanceof GatewayError || err instanceof HttpError;
      if (!known) ctx.log.error('task crashed', { task_id: task.task_id, err, stack: err?.stack });
      const error = err?.message ?? String(err);
      await ctx.store.tasks
        .update(task.task_id, { status: 'FAILURE', error, result: err?.result })
        .catch((e) => ctx.log.error('task state not saved', { task_id: task.task_id, err: e }));
      ctx.log.warn('task failed', { task_id: task.task_id, kind: task.kind, order_id: task.order_id, error });
    }
  }

  return {
    /** Records a PENDING task and schedules it; resolves to the task id. */
    async enqueue(kind, order, user) {
      if (stopped) throw new HttpError(503, 'shutting_down', 'the shop is shutting down');
      const task = { task_id: randomUUID(), kind, order_id: order.id, user_id: user.id };
      await ctx.store.tasks.create(task);
      const timer = setTimeout(() => {
        timers.delete(timer);
        const promise = run(task).finally(() => running.delete(promise));
        running.add(promise);
      }, ctx.config.taskDelayMs);
      timers.add(timer);
      return task.task_id;
    },
    /** Drops tasks not yet started and waits (bounded) for running ones. */
    async stop(graceMs = 500) {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      let deadline;
      await Promise.race([
        Promise.allSettled([...running]),
        new Promise((resolve) => {
          deadline = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(deadline);
    },
  };
}
