import { randomBytes } from 'node:crypto';

// Ephemeral state (sessions, carts, task state, the product-list cache) lives in Redis when
// REDIS_URL is configured and in PostgreSQL otherwise. Both variants expose the same
// methods, so routes never ask which backend is in use.

const CART_TTL_SECONDS = 7 * 24 * 3600;
const TASK_TTL_SECONDS = 24 * 3600;

export const keys = {
  session: (token) => `session:${token}`,
  cart: (email) => `cart:${email}`,
  task: (id) => `task:${id}`,
  products: 'cache:products',
};

function newToken() {
  return randomBytes(32).toString('base64url');
}

function taskFromHash(hash) {
  if (!hash || !hash.task_id) return null;
  return {
    task_id: hash.task_id,
    kind: hash.kind,
    order_id: hash.order_id ? Number(hash.order_id) : null,
    user_id: hash.user_id ? Number(hash.user_id) : null,
    status: hash.status,
    result: hash.result ? JSON.parse(hash.result) : undefined,
    error: hash.error || undefined,
    created_at: hash.created_at,
    updated_at: hash.updated_at,
  };
}

function createRedisStore(redis, config) {
  return {
    backend: 'redis',
    sessions: {
      async create(user) {
        const token = newToken();
        const value = JSON.stringify({ user_id: user.id, email: user.email });
        await redis.set(keys.session(token), value, 'EX', config.tokenTtlSeconds);
        return token;
      },
      async get(token) {
        const raw = await redis.get(keys.session(token));
        return raw ? JSON.parse(raw).user_id : null;
      },
      async delete(token) {
        await redis.del(keys.session(token));
      },
    },
    carts: {
      async get(user) {
        const hash = await redis.hgetall(keys.cart(user.email));
        return Object.entries(hash).map(([sku, quantity]) => ({ sku, quantity: Number(quantity) }));
      },
      async set(user, sku, quantity) {
        await redis
          .multi()
          .hset(keys.cart(user.email), sku, quantity)
          .expire(keys.cart(user.email), CART_TTL_SECONDS)
          .exec();
      },
      async remove(user, sku) {
        return (await redis.hdel(keys.cart(user.email), sku)) > 0;
      },
      async clear(user) {
        await redis.del(keys.cart(user.email));
      },
    },
    tasks: {
      async create(task) {
        const now = new Date().toISOString();
        const key = keys.task(task.task_id);
        await redis
          .multi()
          .hset(key, {
            task_id: task.task_id,
            kind: task.kind,
            order_id: String(task.order_id),
            user_id: String(task.user_id),
            status: 'PENDING',
            created_at: now,
            updated_at: now,
          })
          .expire(key, TASK_TTL_SECONDS)
          .exec();
      },
      async update(id, { status, result, error }) {
        const fields = { status, updated_at: new Date().toISOString() };
        if (result !== undefined) fields.result = JSON.stringify(result);
        if (error !== undefined) fields.error = error;
        await redis.hset(keys.task(id), fields);
      },
      async get(id) {
        return taskFromHash(await redis.hgetall(keys.task(id)));
      },
    },
    productCache: {
      async get() {
        const raw = await redis.get(keys.products);
        return raw ? JSON.parse(raw) : null;
      },
      async set(products) {
        await redis.set(keys.products, JSON.stringify(products), 'EX', config.productCacheSeconds);
      },
      async invalidate() {
        await redis.del(keys.products);
      },
    },
  };
}

function createPgStore(pool, config) {
  return {
    backend: 'postgres',
    sessions: {
      async create(user) {
        const token = newToken();
        await pool.query(
          `INSERT INTO sessions (token, user_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))`,
          [token, user.id, config.tokenTtlSeconds],
        );
        return token;
      },
      async get(token) {
        const { rows } = await pool.query(
          'SELECT user_id FROM sessions WHERE token = $1 AND expires_at > now()',
          [token],
        );
        return rows[0]?.user_id ?? null;
      },
      async delete(token) {
        await pool.query('DELETE FROM sessions WHERE token = $1', [token]);
      },
    },
    carts: {
      async get(user) {
        const { rows } = await pool.query(
          'SELECT sku, quantity FROM cart_items WHERE user_id = $1 ORDER BY sku',
          [user.id],
        );
        return rows;
      },
      async set(user, sku, quantity) {
        await pool.query(
          `INSERT INTO cart_items (user_id, sku, quantity) VALUES ($1, $2, $3)
           ON CONFLICT (user_id, sku) DO UPDATE SET quantity = EXCLUDED.quantity`,
          [user.id, sku, quantity],
        );
      },
      async remove(user, sku) {
        const { rowCount } = await pool.query('DELETE FROM cart_items WHERE user_id = $1 AND sku = $2', [
          user.id,
          sku,
        ]);
        return rowCount > 0;
      },
      async clear(user) {
        await pool.query('DELETE FROM cart_items WHERE user_id = $1', [user.id]);
      },
    },
    tasks: {
      async create(task) {
        await pool.query(
          `INSERT INTO tasks (id, kind, order_id, user_id, status) VALUES ($1, $2, $3, $4, 'PENDING')`,
          [task.task_id, task.kind, task.order_id, task.user_id],
        );
      },
      async update(id, { status, result, error }) {
        await pool.query(
          `UPDATE tasks SET status = $2, result = COALESCE($3::jsonb, result), error = COALESCE($4, error),
             updated_at = now() WHERE id = $1`,
          [id, status, result === undefined ? null : JSON.stringify(result), error ?? null],
        );
      },
      async get(id) {
        const { rows } = await pool.query('SELECT * FROM tasks WHERE id = $1', [id]);
        const row = rows[0];
        if (!row) return null;
        return {
          task_id: row.id,
          kind: row.kind,
          order_id: row.order_id,
          user_id: row.user_id,
          status: row.status,
          result: row.result ?? undefined,
          error: row.error ?? undefined,
          created_at: row.created_at.toISOString(),
          updated_at: row.updated_at.toISOString(),
        };
      },
    },
    // Without Redis the product list is always read from PostgreSQL.
    productCache: {
      get: async () => null,
      set: async () => {},
      invalidate: async () => {},
    },
  };
}

export function createStore({ pool, redis, config }) {
  return redis ? createRedisStore(redis, config) : createPgStore(pool, config);
}
