import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BENCH_DIR } from './paths.js';

export interface TargetServer {
  baseUrl: string;
  /** Orders created so far: used to check that a tool really ran N scenarios. */
  orderCount(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts bench/server.js as a child process on a free loopback port. */
export function startServer(): Promise<TargetServer> {
  const child: ChildProcess = spawn(process.execPath, [join(BENCH_DIR, 'server.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('target server did not start within 10 s')), 10_000);
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`target server exited with ${code}`)));
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      const { port } = JSON.parse(line) as { port: number };
      const baseUrl = `http://127.0.0.1:${port}`;
      resolve({
        baseUrl,
        async orderCount() {
          const res = await fetch(`${baseUrl}/health`);
          return ((await res.json()) as { orders: number }).orders;
        },
        stop: () =>
          new Promise<void>((done) => {
            child.removeAllListeners('exit');
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/** Logs in and creates one order: the request autocannon repeats. */
export async function seedOrder(baseUrl: string): Promise<{ token: string; id: string }> {
  const login = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'autocannon', password: 'secret' }),
  });
  const { token } = (await login.json()) as { token: string };
  const created = await fetch(`${baseUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ sku: 'SKU-1', quantity: 1 }),
  });
  const { id } = (await created.json()) as { id: string };
  return { token, id };
}
