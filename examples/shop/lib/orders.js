import { GATEWAYS } from './config.js';
import { withTransaction } from './db.js';
import { HttpError, requirePositiveInt } from './http.js';

// Orders and inventory. Stock is reserved (decremented) when the order is created, in the
// same transaction, so an out-of-stock order is refused immediately with 409; it is
// released again when payment fails or the order is refunded.

export const PAYMENT_METHODS = ['card', 'cash_on_delivery', 'invoice'];

export function serializeOrder(row, items) {
  return {
    id: row.id,
    status: row.status,
    payment_status: row.payment_status,
    payment_method: row.payment_method,
    gateway: row.gateway,
    items: items.map((it) => ({
      sku: it.sku,
      name: it.name,
      quantity: it.quantity,
      unit_price: it.unit_price,
      line_total: it.unit_price * it.quantity,
    })),
    total: row.total,
    currency: row.currency,
    shipping_address: row.shipping_address,
    inventory_reserved: row.inventory_reserved,
    payment_processed: row.payment_status === 'paid' || row.payment_status === 'refunded',
    shipping_created: row.tracking_number !== null,
    payment_id: row.payment_id,
    tracking_number: row.tracking_number,
    failure_reason: row.failure_reason,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export async function getOrderRow(db, id) {
  const { rows } = await db.query('SELECT * FROM orders WHERE id = $1', [id]);
  return rows[0] ?? null;
}

export async function getOrderItems(db, id) {
  const { rows } = await db.query(
    'SELECT sku, name, quantity, unit_price FROM order_items WHERE order_id = $1 ORDER BY id',
    [id],
  );
  return rows;
}

export async function loadOrder(db, id) {
  const row = await getOrderRow(db, id);
  return row ? serializeOrder(row, await getOrderItems(db, id)) : null;
}

/** Loads an order owned by `user`, or answers 404 (also for other users' orders, to not leak ids). */
export async function loadOwnOrder(db, user, rawId) {
  const id = Number(rawId);
  const row = Number.isInteger(id) && id > 0 && id < 2 ** 31 ? await getOrderRow(db, id) : null;
  if (!row || row.user_id !== user.id) {
    throw new HttpError(404, 'order_not_found', `order ${rawId} not found`);
  }
  return row;
}

export async function listOrders(db, user) {
  const { rows } = await db.query('SELECT * FROM orders WHERE user_id = $1 ORDER BY id DESC LIMIT 100', [
    user.id,
  ]);
  const orders = [];
  for (const row of rows) orders.push(serializeOrder(row, await getOrderItems(db, row.id)));
  return orders;
}

/** Decrements stock for every item, or throws 409 out_of_stock / 422 unknown_sku. */
export async function reserveStock(client, items) {
  // Sorted by SKU so concurrent orders lock product rows in the same order (no deadlocks).
  const reserved = [];
  for (const item of [...items].sort((a, b) => a.sku.localeCompare(b.sku))) {
    const { rows } = await client.query(
      `UPDATE products SET stock = stock - $2 WHERE sku = $1 AND stock >= $2 RETURNING name, price, stock`,
      [item.sku, item.quantity],
    );
    if (rows.length === 0) {
      const found = await client.query('SELECT stock FROM products WHERE sku = $1', [item.sku]);
      if (found.rows.length === 0) {
        throw new HttpError(422, 'unknown_sku', `no product with SKU ${item.sku}`, { sku: item.sku });
      }
      const available = found.rows[0].stock;
      throw new HttpError(
        409,
        'out_of_stock',
        available === 0
          ? `${item.sku} is out of stock`
          : `${item.sku}: only ${available} in stock, ${item.quantity} requested`,
        { sku: item.sku, available, requested: item.quantity },
      );
    }
    reserved.push({ ...item, name: rows[0].name, unit_price: rows[0].price });
  }
  return reserved;
}

export async function releaseStock(client, items) {
  for (const item of items) {
    await client.query('UPDATE products SET stock = stock + $2 WHERE sku = $1', [item.sku, item.quantity]);
  }
}

/** Reserves stock again for an order whose reservation was released (e.g. retry after a failed payment). */
export async function reserveOrder(ctx, orderId) {
  await withTransaction(ctx.pool, async (client) => {
    const { rows } = await client.query('SELECT inventory_reserved FROM orders WHERE id = $1 FOR UPDATE', [
      orderId,
    ]);
    if (rows[0]?.inventory_reserved) return;
    await reserveStock(client, await getOrderItems(client, orderId));
    await client.query('UPDATE orders SET inventory_reserved = true, updated_at = now() WHERE id = $1', [
      orderId,
    ]);
  });
  await ctx.store.productCache.invalidate();
}

/** Returns the order's stock unless it was already released; used on payment failure and refund. */
export async function releaseOrder(ctx, orderId, { returnStock = true } = {}) {
  await withTransaction(ctx.pool, async (client) => {
    const { rows } = await client.query('SELECT inventory_reserved FROM orders WHERE id = $1 FOR UPDATE', [
      orderId,
    ]);
    if (!rows[0]?.inventory_reserved) return;
    if (returnStock) await releaseStock(client, await getOrderItems(client, orderId));
    await client.query('UPDATE orders SET inventory_reserved = false, updated_at = now() WHERE id = $1', [
      orderId,
    ]);
  });
  await ctx.store.productCache.invalidate();
}

function parseItems(body) {
  if (body.items !== undefined) {
    if (!Array.isArray(body.items) || body.items.length === 0 || body.items.length > 50) {
      throw new HttpError(422, 'validation_error', 'items must be a non-empty array of {sku, quantity}', {
        field: 'items',
      });
    }
    return body.items.map((it) => parseItem(it ?? {}));
  }
  if (body.sku !== undefined) return [parseItem(body)];
  return null;
}

export function parseItem(raw) {
  if (typeof raw.sku !== 'string' || raw.sku.length === 0 || raw.sku.length > 64) {
    throw new HttpError(422, 'validation_error', 'sku must be a non-empty string', { field: 'sku' });
  }
  return { sku: raw.sku, quantity: requirePositiveInt(raw, 'quantity') };
}

function mergeItems(items) {
  const bySku = new Map();
  for (const it of items) bySku.set(it.sku, (bySku.get(it.sku) ?? 0) + it.quantity);
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity }));
}

export function parseGateway(value) {
  if (value === undefined || value === null) return undefined;
  if (!GATEWAYS.includes(value)) {
    throw new HttpError(422, 'validation_error', `gateway must be one of ${GATEWAYS.join(', ')}`, {
      field: 'gateway',
    });
  }
  return value;
}

/**
 * Creates an order from `{sku, quantity}`, `{items: [...]}` or, when neither is given, from
 * the user's cart (which is then emptied). Answers with the stored order.
 */
export async function createOrder(ctx, user, body) {
  const paymentMethod = body.payment_method ?? null;
  if (paymentMethod !== null && !PAYMENT_METHODS.includes(paymentMethod)) {
    throw new HttpError(
      422,
      'validation_error',
      `payment_method must be one of ${PAYMENT_METHODS.join(', ')}`,
      {
        field: 'payment_method',
      },
    );
  }
  const gateway = parseGateway(body.gateway) ?? ctx.config.defaultGateway ?? null;
  const address = body.shipping_address ?? null;
  if (address !== null && (typeof address !== 'object' || Array.isArray(address))) {
    throw new HttpError(422, 'validation_error', 'shipping_address must be an object', {
      field: 'shipping_address',
    });
  }

  let items = parseItems(body);
  const fromCart = items === null;
  if (fromCart) {
    items = await ctx.store.carts.get(user);
    if (items.length === 0) {
      throw new HttpError(422, 'cart_empty', 'the cart is empty and the request names no items');
    }
  }
  items = mergeItems(items);

  const orderId = await withTransaction(ctx.pool, async (client) => {
    const reserved = await reserveStock(client, items);
    const total = reserved.reduce((sum, it) => sum + it.unit_price * it.quantity, 0);
    const { rows } = await client.query(
      `INSERT INTO orders (user_id, email, payment_method, gateway, total, shipping_address, inventory_reserved)
       VALUES ($1, $2, $3, $4, $5, $6, true) RETURNING id`,
      [user.id, user.email, paymentMethod, gateway, total, address === null ? null : JSON.stringify(address)],
    );
    for (const it of reserved) {
      await client.query(
        'INSERT INTO order_items (order_id, sku, name, quantity, unit_price) VALUES ($1, $2, $3, $4, $5)',
        [rows[0].id, it.sku, it.name, it.quantity, it.unit_price],
      );
    }
    return rows[0].id;
  });

  if (fromCart) await ctx.store.carts.clear(user);
  await ctx.store.productCache.invalidate();
  ctx.log.info('order created', {
    order_id: orderId,
    user_id: user.id,
    from_cart: fromCart,
    payment_method: paymentMethod,
  });
  return loadOrder(ctx.pool, orderId);
}
