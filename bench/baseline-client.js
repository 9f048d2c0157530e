// The baseline: the benchmark workload hand-written against node:http with a
// keep-alive Agent, no framework. It is the floor every tool is compared to.
//
//   node bench/baseline-client.js --url http://127.0.0.1:PORT -n 200 -c 8
//
// Per scenario: log in, capture the token, create an order with the bearer
// token, capture its id, get the order and check status 200,
// `$.status == confirmed` and 3 items. Exit 0 when every scenario passed.
import http from 'node:http';

function parseArgs(argv) {
  const args = { url: '', n: 1, c: 1 };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    if (key === '--version') {
      args.version = true;
      continue;
    }
    const value = argv[++i];
    if (key === '--url') args.url = value;
    else if (key === '-n') args.n = Number(value);
    else if (key === '-c') args.c = Number(value);
    else throw new Error(`unknown argument ${key}`);
  }
  return args;
}

function request(agent, base, method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method,
        path,
        headers: {
          accept: 'application/json',
          ...headers,
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode, body: json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function scenario(agent, base, index) {
  const login = await request(
    agent,
    base,
    'POST',
    '/login',
    {},
    { user: `user-${index}`, password: 'secret' },
  );
  if (login.status !== 200 || typeof login.body?.token !== 'string') {
    throw new Error(`login: status ${login.status}`);
  }
  const auth = { authorization: `Bearer ${login.body.token}` };
  const created = await request(agent, base, 'POST', '/orders', auth, { sku: 'SKU-1', quantity: 2 });
  if (created.status !== 201 || created.body?.id === undefined) {
    throw new Error(`create order: status ${created.status}`);
  }
  const order = await request(agent, base, 'GET', `/orders/${encodeURIComponent(created.body.id)}`, auth);
  if (order.status !== 200) throw new Error(`get order: status ${order.status}`);
  if (order.body?.status !== 'confirmed') throw new Error(`get order: status field ${order.body?.status}`);
  if (!Array.isArray(order.body.items) || order.body.items.length !== 3) {
    throw new Error('get order: expected 3 items');
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.version) {
    process.stdout.write(`baseline node ${process.version}\n`);
    return;
  }
  const base = new URL(args.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: args.c });
  let next = 0;
  let passed = 0;
  const failures = [];
  const worker = async () => {
    while (next < args.n) {
      const index = next++;
      try {
        await scenario(agent, base, index);
        passed++;
      } catch (error) {
        failures.push(`scenario ${index}: ${error.message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(args.c, args.n) }, worker));
  agent.destroy();
  process.stdout.write(`${JSON.stringify({ total: args.n, passed, failed: failures.length })}\n`);
  if (failures.length > 0) {
    process.stderr.write(`${failures.slice(0, 5).join('\n')}\n`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 3;
});
