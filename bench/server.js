// The benchmark target: a small, fast order API on loopback.
// Started by the harness as a child process; listens on port 0 and prints
// one JSON line `{"port": <n>}` on stdout once it accepts connections.
//
//   POST /login        {user, password}         -> 200 {token}
//   POST /orders       Authorization: Bearer t   -> 201 {id}
//   GET  /orders/:id   Authorization: Bearer t   -> 200 {id, status, items, total}
//   anything without a valid token                -> 401
import http from 'node:http';
import { randomBytes } from 'node:crypto';

const tokens = new Set();
const orders = new Map();
let nextOrder = 1;

const ITEMS = [
  { sku: 'SKU-1', quantity: 2, price: 150 },
  { sku: 'SKU-2', quantity: 1, price: 990 },
  { sku: 'SKU-3', quantity: 5, price: 12 },
];
const TOTAL = ITEMS.reduce((sum, item) => sum + item.quantity * item.price, 0);

function send(res, status, body) {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

function readJson(req, callback) {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    if (chunks.length === 0) return callback(undefined);
    try {
      callback(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    } catch {
      callback(undefined);
    }
  });
}

function authorized(req) {
  const header = req.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
  return tokens.has(header.slice(7));
}

function handle(req, res) {
  const url = req.url ?? '/';
  if (req.method === 'POST' && url === '/login') {
    return readJson(req, (body) => {
      if (!body || typeof body.user !== 'string' || typeof body.password !== 'string') {
        return send(res, 400, { error: 'user and password are required' });
      }
      const token = randomBytes(16).toString('hex');
      tokens.add(token);
      send(res, 200, { token });
    });
  }
  if (req.method === 'POST' && url === '/orders') {
    return readJson(req, () => {
      if (!authorized(req)) return send(res, 401, { error: 'unauthorized' });
      const id = `ord-${nextOrder++}`;
      orders.set(id, { id, status: 'confirmed', items: ITEMS, total: TOTAL });
      send(res, 201, { id });
    });
  }
  if (req.method === 'GET' && url.startsWith('/orders/')) {
    req.resume();
    if (!authorized(req)) return send(res, 401, { error: 'unauthorized' });
    const order = orders.get(decodeURIComponent(url.slice('/orders/'.length)));
    if (!order) return send(res, 404, { error: 'no such order' });
    return send(res, 200, order);
  }
  if (req.method === 'GET' && url === '/health') {
    req.resume();
    return send(res, 200, { ok: true, orders: orders.size });
  }
  req.resume();
  send(res, 404, { error: 'not found' });
}

const server = http.createServer({ keepAliveTimeout: 30_000 }, handle);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
