/**
 * No orphan process, ever: a flowrun-like process starts a command service whose server spawns a
 * grandchild, then dies in three ways (Ctrl-C handled, process.exit without cleanup, SIGKILL).
 * Every process of the service must be gone afterwards.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../src/services/ports.js';
import { isAlive } from '../../src/services/process.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'flowrun-signals-test-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const servicesModule = resolve('src/services/index.ts');
const resourcesModule = resolve('src/util/resources.ts');

/** The "flowrun" process: starts one service, reports ready, then behaves as `mode` says. */
const HOST_SCRIPT = `
import { startServices } from ${JSON.stringify(servicesModule)};
import { Resources } from ${JSON.stringify(resourcesModule)};
const [outDir, port, pidFile, mode] = process.argv.slice(2);
const resources = new Resources();
if (mode === 'sigint') {
  process.on('SIGINT', async () => {
    await resources.close();
    process.exit(130);
  });
}
const server = "const { spawn } = require('child_process');" +
  "const g = spawn('sleep', ['300'], { stdio: 'ignore' });" +
  "require('fs').writeFileSync(process.env.PID_FILE, process.pid + ' ' + g.pid);" +
  "require('http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');";
await startServices(
  [{ name: 'app', command: 'node -e "' + server + '"', env: { PORT: port, PID_FILE: pidFile },
     ready: { http: 'http://127.0.0.1:' + port + '/', timeoutMs: 15000, intervalMs: 50 } }],
  { render: (v) => v, servicesScope: {}, outDir, resources },
);
process.stdout.write('READY\\n');
if (mode === 'exit') process.exit(1);
setInterval(() => undefined, 1000);
`;

interface Host {
  child: ChildProcess;
  pids: number[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startHost(mode: 'sigint' | 'exit' | 'kill'): Promise<Host> {
  const script = join(dir, `host-${mode}.mts`);
  writeFileSync(script, HOST_SCRIPT);
  const pidFile = join(dir, `pids-${mode}`);
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, join(dir, mode), String(port), pidFile, mode],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  let output = '';
  child.stderr!.on('data', (chunk) => (output += chunk));
  const ready = await new Promise<boolean>((done) => {
    const timer = setTimeout(() => done(false), 20_000);
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      if (output.includes('READY')) {
        clearTimeout(timer);
        done(true);
      }
    });
    void exit.then(() => {
      clearTimeout(timer);
      done(output.includes('READY'));
    });
  });
  if (!ready) {
    child.kill('SIGKILL');
    assert.fail(`the host did not start its service:\n${output}`);
  }
  const pids = readFileSync(pidFile, 'utf8').trim().split(' ').map(Number);
  assert.equal(pids.length, 2);
  return { child, pids, exit };
}

async function allGone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = pids.filter(isAlive);
    if (alive.length === 0 || Date.now() >= deadline) return alive;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function cleanup(host: Host | undefined): void {
  if (!host) return;
  host.child.kill('SIGKILL');
  for (const pid of host.pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
}

describe('services never outlive flowrun', () => {
  test('Ctrl-C: the handler closes resources; server and grandchild are gone', async () => {
    let host: Host | undefined;
    try {
      host = await startHost('sigint');
      assert.deepEqual(host.pids.filter(isAlive), host.pids, 'both processes run before the signal');
      host.child.kill('SIGINT');
      const exited = await Promise.race([
        host.exit,
        new Promise((r) => setTimeout(() => r('timeout'), 15_000)),
      ]);
      assert.deepEqual(exited, { code: 130, signal: null });
      assert.deepEqual(await allGone(host.pids, 2000), []);
    } finally {
      cleanup(host);
    }
  });

  test('process.exit without cleanup: the exit hook kills the group', async () => {
    let host: Host | undefined;
    try {
      host = await startHost('exit');
      const exited = await Promise.race([
        host.exit,
        new Promise((r) => setTimeout(() => r('timeout'), 15_000)),
      ]);
      assert.deepEqual(exited, { code: 1, signal: null });
      assert.deepEqual(await allGone(host.pids, 2000), []);
    } finally {
      cleanup(host);
    }
  });

  test('SIGKILL (no handler can run): the watchdog kills the group', async () => {
    let host: Host | undefined;
    try {
      host = await startHost('kill');
      host.child.kill('SIGKILL');
      await host.exit;
      assert.deepEqual(await allGone(host.pids, 8000), []);
    } finally {
      cleanup(host);
    }
  });
});
