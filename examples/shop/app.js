import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { createPool, migrate } from './lib/db.js';
import { createGateways } from './lib/gateways.js';
import { createPartnerNotifier } from './lib/partners.js';
import { createAttemptLimiter } from './lib/rate-limit.js';
import { HttpError, readJson, Router, sendJson } from './lib/http.js';
import { createStore } from './lib/store.js';
import { createTaskRunner } from './lib/tasks.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerCatalogRoutes } from './routes/catalog.js';
import { registerMfaRoutes } from './routes/mfa.js';
import { registerOrderRoutes } from './routes/orders.js';

// Wires configuration, PostgreSQL, optional Redis, the external-service clients and the
// routes into one node:http server. `startShop` resolves once the server is listening.

async function connectRedis(url, log) {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: 2,
    // Reconnect quickly but give up after a few attempts, so a dead Redis surfaces as
    // errors (and a failing /health) rather than requests queueing forever.
    retryStrategy: (times) => (times > 20 ? null : Math.min(times * 100, 1000)),
  });
  let lastError;
  redis.on('error', (err) => {
    lastError = err;
    log.warn('redis error', { err });
  });
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    const { hostname, port } = new URL(url);
    throw new Error(
      `cannot connect to Redis at ${hostname}:${port || 6379} (REDIS_URL): ${(lastError ?? err).message}`,
      { cause: err },
    );
  }
  return redis;
}

// PostgreSQL may still be starting when the shop is launched right after it, so connection
// refusals are retried for a few seconds before giving up.
async function migrateWithRetry(pool, url, log, deadlineMs = 10_000) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await migrate(pool);
    } catch (err) {
      const transient = err.code === 'ECONNREFUSED' || err.code === '57P03';
      if (!transient || Date.now() > deadline) {
        const { hostname, port, pathname } = new URL(url);
        throw new Error(
          `cannot prepare PostgreSQL at ${hostname}:${port || 5432}${pathname} (DATABASE_URL): ${err.message}`,
          { cause: err },
        );
      }
      log.warn('database not reachable yet, retrying', { err });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function health(ctx) {
  // A hung backend must make /health answer "error" quickly, not hang the readiness probe.
  const check = async (fn) => {
    let timer;
    try {
      await Promise.race([
        fn(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), 2000);
        }),
      ]);
      return 'ok';
    } catch {
      return 'error';
    } finally {
      clearTimeout(timer);
    }
  };
  const db = await check(() => ctx.pool.query('SELECT 1'));
  const redis = ctx.redis ? await check(() => ctx.redis.ping()) : 'disabled';
  const ok = db === 'ok' && redis !== 'error';
  return { status: ok ? 200 : 503, body: { status: ok ? 'ok' : 'error', db, redis } };
}

function buildRouter() {
  const router = new Router();
  router.add('GET', '/health', ({ ctx }) => health(ctx));
  registerAuthRoutes(router);
  registerMfaRoutes(router);
  registerCatalogRoutes(router);
  registerOrderRoutes(router);
  return router;
}

function createHandler(ctx, router) {
  return async (req, res) => {
    const started = performance.now();
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    let status = 500;
    try {
      const { handler, params } = router.match(req.method, pathname);
      const body = ['POST', 'PUT', 'PATCH'].includes(req.method) ? await readJson(req) : {};
      const answer = await handler({ ctx, req, params, body });
      status = answer.status;
      sendJson(res, status, answer.body, answer.headers);
    } catch (err) {
      if (err instanceof HttpError) {
        status = err.status;
        sendJson(res, status, { error: err.code, message: err.message, ...err.details }, err.headers);
      } else {
        ctx.log.error('unhandled error', { method: req.method, path: pathname, err, stack: err?.stack });
        sendJson(res, 500, { error: 'internal_error', message: 'unexpected server error' });
      }
    } finally {
      const ms = Math.round(performance.now() - started);
      ctx.log.info('request', { method: req.method, path: pathname, status, ms });
    }
  };
}

export async function startShop(config, log) {
  const pool = createPool(config.databaseUrl);
  let redis;
  try {
    await migrateWithRetry(pool, config.databaseUrl, log);
    if (config.redisUrl) redis = await connectRedis(config.redisUrl, log);
  } catch (err) {
    redis?.disconnect();
    await pool.end().catch(() => {});
    throw err;
  }

  const ctx = {
    config,
    log,
    pool,
    redis,
    gateways: createGateways(config, log),
    partners: createPartnerNotifier(config, log),
    loginLimiter: createAttemptLimiter({
      max: config.loginMaxFailures,
      windowSeconds: config.loginLockSeconds,
    }),
    // Signs the short-lived token between the password step and the second factor.
    mfaKey: randomBytes(32),
  };
  ctx.store = createStore({ pool, redis, config });
  ctx.tasks = createTaskRunner(ctx);

  const server = createServer(createHandler(ctx, buildRouter()));
  // Keep-alive sockets would hold close() open; short timeouts keep shutdown quick.
  server.keepAliveTimeout = 2000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address();

  async function close() {
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeIdleConnections();
    await ctx.tasks.stop(400);
    // Requests still in flight after a short grace period are cut off.
    const force = setTimeout(() => server.closeAllConnections(), 300);
    await closed;
    clearTimeout(force);
    await Promise.allSettled([pool.end(), redis ? redis.quit() : Promise.resolve()]);
  }

  return { port, url: `http://${config.host}:${port}`, ctx, close };
}
