import { HttpError } from '../lib/http.js';
import { parseItem } from '../lib/orders.js';
import { authenticate } from './auth.js';

// Products (public) and the signed-in user's cart.

function serializeProduct(row) {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    price: row.price,
    currency: row.currency,
    stock: row.stock,
    in_stock: row.stock > 0,
  };
}

async function listProducts(ctx) {
  const cached = await ctx.store.productCache.get();
  if (cached) return { products: cached, cache: 'hit' };
  const { rows } = await ctx.pool.query('SELECT * FROM products ORDER BY id');
  const products = rows.map(serializeProduct);
  await ctx.store.productCache.set(products);
  return { products, cache: ctx.store.backend === 'redis' ? 'miss' : 'none' };
}

/** Cart lines joined with current prices; lines whose product vanished are skipped. */
async function cartView(ctx, user) {
  const lines = await ctx.store.carts.get(user);
  const { rows } = lines.length
    ? await ctx.pool.query('SELECT * FROM products WHERE sku = ANY($1::text[])', [lines.map((l) => l.sku)])
    : { rows: [] };
  const bySku = new Map(rows.map((r) => [r.sku, r]));
  const items = lines
    .filter((l) => bySku.has(l.sku))
    .sort((a, b) => a.sku.localeCompare(b.sku))
    .map((l) => {
      const p = bySku.get(l.sku);
      return {
        sku: l.sku,
        name: p.name,
        quantity: l.quantity,
        unit_price: p.price,
        line_total: p.price * l.quantity,
      };
    });
  const total = items.reduce((sum, it) => sum + it.line_total, 0);
  return { items, count: items.reduce((n, it) => n + it.quantity, 0), total, currency: 'RUB' };
}

export function registerCatalogRoutes(router) {
  router.add('GET', '/api/products', async ({ ctx }) => {
    const { products, cache } = await listProducts(ctx);
    return { status: 200, body: { items: products, count: products.length }, headers: { 'x-cache': cache } };
  });

  // Accepts the numeric id or the SKU: /api/products/1 and /api/products/SKU-1 are the same.
  router.add('GET', '/api/products/:id', async ({ ctx, params }) => {
    const byId = /^\d{1,9}$/.test(params.id);
    const { rows } = await ctx.pool.query(
      `SELECT * FROM products WHERE ${byId ? 'id = $1::int' : 'sku = $1'}`,
      [params.id],
    );
    if (!rows[0]) throw new HttpError(404, 'product_not_found', `product ${params.id} not found`);
    return { status: 200, body: serializeProduct(rows[0]) };
  });

  router.add('GET', '/api/cart', async ({ ctx, req }) => {
    const user = await authenticate(ctx, req);
    return { status: 200, body: await cartView(ctx, user) };
  });

  // Adds to the quantity already in the cart; refuses more than the current stock.
  router.add('POST', '/api/cart/items', async ({ ctx, req, body }) => {
    const user = await authenticate(ctx, req);
    const item = parseItem(body);
    const { rows } = await ctx.pool.query('SELECT stock FROM products WHERE sku = $1', [item.sku]);
    if (!rows[0]) {
      throw new HttpError(422, 'unknown_sku', `no product with SKU ${item.sku}`, { sku: item.sku });
    }
    const existing = (await ctx.store.carts.get(user)).find((l) => l.sku === item.sku)?.quantity ?? 0;
    const quantity = existing + item.quantity;
    const available = rows[0].stock;
    if (quantity > available) {
      throw new HttpError(
        409,
        'out_of_stock',
        available === 0
          ? `${item.sku} is out of stock`
          : `${item.sku}: only ${available} in stock, ${quantity} requested`,
        { sku: item.sku, available, requested: quantity },
      );
    }
    await ctx.store.carts.set(user, item.sku, quantity);
    return { status: 201, body: await cartView(ctx, user) };
  });

  router.add('DELETE', '/api/cart/items/:sku', async ({ ctx, req, params }) => {
    const user = await authenticate(ctx, req);
    if (!(await ctx.store.carts.remove(user, params.sku))) {
      throw new HttpError(404, 'not_in_cart', `${params.sku} is not in the cart`);
    }
    return { status: 200, body: await cartView(ctx, user) };
  });

  router.add('DELETE', '/api/cart', async ({ ctx, req }) => {
    const user = await authenticate(ctx, req);
    await ctx.store.carts.clear(user);
    return { status: 204 };
  });
}
