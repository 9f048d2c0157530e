// Reads the shop's configuration from the process environment once, at startup,
// so every module sees the same validated values.

export class ConfigError extends Error {}

const KNOWN_BUGS = new Set(['double-charge', 'skip-email', 'refund-keeps-stock', 'duplicate-webhook']);
export const GATEWAYS = ['stripe', 'cloudpayments', 'yookassa'];

function integer(env, name, fallback, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

function url(env, name) {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  try {
    // Normalise away a trailing slash so paths can be appended verbatim.
    return new URL(raw).toString().replace(/\/+$/, '');
  } catch {
    throw new ConfigError(`${name} is not a valid URL: "${raw}"`);
  }
}

export function loadConfig(env = process.env) {
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) throw new ConfigError('DATABASE_URL is required (postgresql://user:pass@host:port/db)');

  const bugs = new Set(
    (env.SHOP_BUG ?? '')
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
  );
  for (const bug of bugs) {
    if (!KNOWN_BUGS.has(bug)) {
      throw new ConfigError(`SHOP_BUG: unknown flag "${bug}" (known: ${[...KNOWN_BUGS].join(', ')})`);
    }
  }

  const defaultGateway = env.PAYMENT_GATEWAY || undefined;
  if (defaultGateway && !GATEWAYS.includes(defaultGateway)) {
    throw new ConfigError(`PAYMENT_GATEWAY must be one of ${GATEWAYS.join(', ')}, got "${defaultGateway}"`);
  }

  const partnerWebhookUrl = url(env, 'PARTNER_WEBHOOK_URL');
  const partnerWebhookSecret = env.PARTNER_WEBHOOK_SECRET || undefined;
  if (partnerWebhookUrl && !partnerWebhookSecret) {
    throw new ConfigError(
      'PARTNER_WEBHOOK_SECRET is required with PARTNER_WEBHOOK_URL (webhooks are signed)',
    );
  }

  const logLevel = env.LOG_LEVEL || 'info';
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be debug, info, warn, error or silent, got "${logLevel}"`);
  }

  return {
    port: integer(env, 'PORT', 8000, { max: 65535 }),
    host: env.HOST || '127.0.0.1',
    databaseUrl,
    redisUrl: env.REDIS_URL || undefined,
    paymentUrl: url(env, 'PAYMENT_URL'),
    shippingUrl: url(env, 'SHIPPING_URL'),
    emailUrl: url(env, 'EMAIL_URL'),
    partnerWebhookUrl,
    partnerWebhookSecret,
    defaultGateway,
    taskDelayMs: integer(env, 'TASK_DELAY_MS', 500, { max: 600_000 }),
    outboundTimeoutMs: integer(env, 'OUTBOUND_TIMEOUT_MS', 5000, { min: 1, max: 600_000 }),
    tokenTtlSeconds: integer(env, 'TOKEN_TTL_SECONDS', 86_400, { min: 1 }),
    productCacheSeconds: integer(env, 'PRODUCT_CACHE_SECONDS', 30, { min: 1 }),
    loginMaxFailures: integer(env, 'LOGIN_MAX_FAILURES', 5, { min: 1 }),
    loginLockSeconds: integer(env, 'LOGIN_LOCK_SECONDS', 60, { min: 1 }),
    logLevel,
    bugs,
  };
}
