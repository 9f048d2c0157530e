import { accessSync, constants } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { FlowrunError } from '../errors.js';
import { freePort } from './ports.js';
import { serviceTempDir, spawnManaged, tailLog } from './process.js';

export const REDIS_INSTALL_HINT =
  'install it: apt-get install redis-server (Debian/Ubuntu) or brew install redis (macOS)';

export interface LocalRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/** redis-server on PATH, or undefined. */
export function findRedisServer(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The error raised when redis-server is absent. Its code lets callers (the demo, CI) report
 * Redis-dependent scenarios as skipped instead of failed.
 */
export function redisMissingError(forWhat: string): FlowrunError {
  // The install advice is in the message itself (no separate hint, which would repeat it).
  return new FlowrunError(
    `redis-server was not found on PATH (needed by ${forWhat}); ${REDIS_INSTALL_HINT}`,
    {
      code: 'E_REDIS_MISSING',
    },
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends PING over a raw socket; true when +PONG comes back. */
function ping(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let buffer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      if (buffer.includes('\r\n')) done(buffer.startsWith('+PONG'));
    });
  });
}

/**
 * redis-server from PATH on 127.0.0.1 with persistence off, its working folder in a temp dir
 * that is removed on stop.
 */
export async function startLocalRedis(options: {
  logFile: string;
  port?: number;
  /** Named in the "not installed" message. */
  forWhat?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}): Promise<LocalRedis> {
  const binary = findRedisServer();
  if (!binary) throw redisMissingError(options.forWhat ?? 'this run');
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  const temp = await serviceTempDir('flowrun-redis-');
  const dir = temp.path;
  const cleanup = () => temp.remove();
  try {
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await freePort());
      const server = spawnManaged(
        binary,
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir]
          // protected-mode off is harmless on loopback and avoids surprises with passwordless setups.
          .concat(['--protected-mode', 'no', '--daemonize', 'no', '--logfile', '']),
        { logFile: options.logFile, cwd: dir },
      );
      let state: 'up' | 'exited' | 'timeout' | 'aborted';
      for (;;) {
        if (options.signal?.aborted) state = 'aborted';
        else if (server.hasExited()) state = 'exited';
        else if (await ping(port, 500)) state = 'up';
        else if (Date.now() >= deadline) state = 'timeout';
        else {
          await sleep(50);
          continue;
        }
        break;
      }
      if (state === 'up') {
        let stopped: Promise<void> | undefined;
        return {
          url: `redis://127.0.0.1:${port}`,
          port,
          pid: server.pid,
          stop: () => (stopped ??= server.stop({ signal: 'SIGTERM', graceMs: 5000 }).finally(cleanup)),
        };
      }
      await server.stop({ signal: 'SIGTERM', graceMs: 2000 });
      const log = tailLog(options.logFile);
      if (state === 'exited' && /address already in use/i.test(log) && !options.port && attempt < 3) continue;
      throw new FlowrunError(
        state === 'aborted'
          ? 'interrupted while starting redis-server'
          : `redis-server ${state === 'exited' ? 'exited during start' : 'did not answer PING in time'}:\n${log}`,
        { code: 'E_SERVICE' },
      );
    }
  } catch (error) {
    await cleanup();
    throw error;
  }
}
