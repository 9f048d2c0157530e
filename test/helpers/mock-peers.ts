/**
 * Starts the real WireMock and MockServer jars from node_modules on 127.0.0.1, in a temp
 * folder, and stops them by PID. `java` is spawned directly (never through npx) so the PID we
 * kill is the JVM itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
export const WIREMOCK_JAR = join(root, 'node_modules/wiremock/build/wiremock-standalone-3.13.2.jar');
export const MOCKSERVER_JAR = join(
  root,
  'node_modules/mockserver-node/mockserver-netty-8.0.0-jar-with-dependencies.jar',
);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Peer {
  url: string;
  pid: number;
  startupMs: number;
  stop(): Promise<void>;
}

async function waitReady(url: string, method: string, child: ChildProcess, log: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`process exited (${child.exitCode}): ${readFileSync(log, 'utf8').slice(-2000)}`);
    try {
      const res = await fetch(url, { method, signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms: ${readFileSync(log, 'utf8').slice(-2000)}`);
}

async function startJava(kind: 'wiremock' | 'mockserver', timeoutMs = 60_000): Promise<Peer> {
  const dir = mkdtempSync(join(tmpdir(), `flowrun-${kind}-`));
  const port = await freePort();
  const log = join(dir, `${kind}.log`);
  const out = openSync(log, 'a');
  const args =
    kind === 'wiremock'
      ? [
          '-Xmx256m',
          '-XX:+UseSerialGC',
          '-XX:TieredStopAtLevel=1',
          '-jar',
          WIREMOCK_JAR,
          '--port',
          String(port),
          '--bind-address',
          '127.0.0.1',
          '--root-dir',
          join(dir, 'root'),
          '--disable-banner',
        ]
      : [
          '-Xmx384m',
          '-XX:+UseSerialGC',
          '-Dmockserver.localBoundIP=127.0.0.1',
          '-jar',
          MOCKSERVER_JAR,
          'run',
          '-p',
          String(port),
          '-l',
          'WARN',
        ];
  const started = Date.now();
  const child = spawn('java', args, { cwd: dir, stdio: ['ignore', out, out] });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (kind === 'wiremock') await waitReady(`${url}/__admin/health`, 'GET', child, log, timeoutMs);
    else await waitReady(`${url}/mockserver/status`, 'PUT', child, log, timeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, pid: child.pid!, startupMs: Date.now() - started, stop };
}

export const startWireMock = (timeoutMs?: number) => startJava('wiremock', timeoutMs);
export const startMockServer = (timeoutMs?: number) => startJava('mockserver', timeoutMs);
