#!/usr/bin/env node
// Entry point: `node examples/shop/server.js`. Configuration comes from the environment
// (see README.md); with PORT=0 the chosen port is printed in the "listening" log line.
import { startShop } from './app.js';
import { ConfigError, loadConfig } from './lib/config.js';
import { createLogger } from './lib/log.js';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`shop: configuration error: ${err.message}\n`);
  process.exit(2);
}

const log = createLogger(config.logLevel);

let shop;
try {
  shop = await startShop(config, log);
} catch (err) {
  log.error('startup failed', { err });
  process.stderr.write(`shop: startup failed: ${err.message}\n`);
  process.exit(1);
}

// Always printed (whatever LOG_LEVEL says): process managers and tests read the port here.
process.stdout.write(
  JSON.stringify({
    time: new Date().toISOString(),
    level: 'info',
    msg: `shop listening on ${shop.url}`,
    url: shop.url,
    port: shop.port,
    redis: config.redisUrl ? 'enabled' : 'disabled',
    bugs: [...config.bugs],
  }) + '\n',
);

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  log.info('shutting down', { signal });
  // Hard stop if something does not let go: the contract is "gone within a second".
  setTimeout(() => process.exit(1), 1500).unref();
  try {
    await shop.close();
    log.info('stopped');
    process.exit(0);
  } catch (err) {
    log.error('shutdown failed', { err });
    process.exit(1);
  }
}

process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
