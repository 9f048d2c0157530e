import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { within } from '../util/abort.js';

/**
 * Processes flowrun starts (services, test servers). Each runs in its own process group so the
 * whole tree (a shell, the server, whatever it forks) can be signalled at once, and a terminal
 * Ctrl-C reaches flowrun only: flowrun then stops its services in order instead of racing them.
 */
export interface ManagedProcess {
  readonly pid: number;
  /** Resolves when the group leader has exited (never rejects). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True once the leader has exited. */
  hasExited(): boolean;
  /** Why the process could not be started at all (ENOENT, EACCES), once `exited` resolved. */
  spawnError(): Error | undefined;
  /**
   * Sends `signal` (to the leader or the group), waits up to `graceMs` for every process of the
   * group to be gone, then SIGKILLs the group. Safe to call more than once.
   */
  stop(options?: { signal?: NodeJS.Signals; graceMs?: number; wholeGroup?: boolean }): Promise<void>;
}

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr are appended to this file (created with its folder). */
  logFile: string;
  /** Run as this user (needed for PostgreSQL when flowrun runs as root). */
  uid?: number;
  gid?: number;
  /** What the watchdog sends the group if flowrun dies without stopping it (default SIGTERM). */
  orphanSignal?: NodeJS.Signals;
}

const live = new Set<number>();
let exitHookInstalled = false;

/**
 * A tiny watchdog process, started with the first managed process. It holds the read end of a
 * pipe from flowrun; when flowrun dies in a way no handler sees (SIGKILL, an unhandled default
 * signal action, a crash), the pipe closes and the watchdog kills every group still registered.
 * Runs in its own process group so a terminal Ctrl-C does not reach it.
 */
const REAPER_SCRIPT = `
const groups = new Map();
let buffer = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  let i;
  while ((i = buffer.indexOf('\\n')) >= 0) {
    const [op, pgid, signal] = buffer.slice(0, i).split(' ');
    buffer = buffer.slice(i + 1);
    if (op === '+') groups.set(Number(pgid), signal || 'SIGTERM');
    else groups.delete(Number(pgid));
  }
});
const kill = (pgid, signal) => { try { process.kill(-pgid, signal); } catch {} };
process.stdin.on('end', () => {
  if (groups.size === 0) process.exit(0);
  for (const [pgid, signal] of groups) kill(pgid, signal);
  setTimeout(() => { for (const pgid of groups.keys()) kill(pgid, 'SIGKILL'); process.exit(0); }, 3000);
});
process.on('SIGINT', () => {});
`;

let reaper: { write(line: string): void } | undefined;

function tellReaper(line: string): void {
  if (!reaper) {
    try {
      const env = { ...process.env };
      delete env.NODE_OPTIONS;
      const child = spawn(process.execPath, ['-e', REAPER_SCRIPT], {
        detached: true,
        stdio: ['pipe', 'ignore', 'ignore'],
        env,
      });
      child.on('error', () => undefined);
      child.stdin.on('error', () => undefined);
      child.unref();
      // The pipe must not keep flowrun alive either.
      (child.stdin as unknown as { unref?: () => void }).unref?.();
      reaper = { write: (text) => child.stdin.write(text) };
    } catch {
      reaper = { write: () => undefined };
    }
  }
  reaper.write(`${line}\n`);
}

/**
 * The last resort: when Node exits for any reason (also process.exit from a signal handler),
 * synchronously SIGKILL every group still alive. Async cleanup may never get to run then.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pgid of live) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    live.clear();
  });
}

/** Process ids of the live (non-zombie) members of a process group. */
export function groupMembers(pgid: number): number[] {
  if (process.platform !== 'linux') {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const members: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') members.push(Number(entry));
  }
  return members;
}

/**
 * Whether a process exists and is not a zombie. Zombies count as gone: in containers whose init
 * does not reap, an orphan that was killed stays a zombie forever although nothing runs.
 */
export function isAlive(pid: number): boolean {
  if (process.platform === 'linux') {
    const stat = readStat(pid);
    return !!stat && stat.state !== 'Z' && stat.state !== 'X';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readStat(pid: number): { state: string; pgrp: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitGroupGone(pgid: number, deadline: number): Promise<boolean> {
  for (;;) {
    if (groupMembers(pgid).length === 0) return true;
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
}

/** Starts `command args` in a new process group with output appended to `logFile`. */
export function spawnManaged(command: string, args: string[], options: SpawnOptions): ManagedProcess {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, 'a');
  let child;
  try {
    child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      // detached = setsid(): a new session and process group whose id is the child's pid.
      detached: true,
      stdio: ['ignore', fd, fd],
      uid: options.uid,
      gid: options.gid,
    });
  } finally {
    closeSync(fd);
  }
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
    child.once('error', (error) => {
      spawnError = error;
      exitInfo = { code: null, signal: null };
      resolve(exitInfo);
    });
  });
  const pid = child.pid;
  if (pid === undefined) {
    // spawn failed synchronously-ish (ENOENT, EACCES); the 'error' event carries the reason.
    return {
      pid: -1,
      exited,
      hasExited: () => true,
      spawnError: () => spawnError,
      stop: async () => {
        await exited;
      },
    };
  }
  installExitHook();
  live.add(pid);
  tellReaper(`+ ${pid} ${options.orphanSignal ?? 'SIGTERM'}`);

  let stopping: Promise<void> | undefined;
  const stop: ManagedProcess['stop'] = (stopOptions = {}) => {
    stopping ??= (async () => {
      const { signal = 'SIGTERM', graceMs = 5000, wholeGroup = true } = stopOptions;
      try {
        if (!exitInfo || wholeGroup) process.kill(wholeGroup ? -pid : pid, signal);
      } catch {
        // the group is already gone
      }
      const gone = await waitGroupGone(pid, Date.now() + graceMs);
      if (!gone) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // raced with its exit
        }
        await waitGroupGone(pid, Date.now() + 2000);
      }
      // The leader's exit event comes through the event loop; bound the wait for it too.
      await within(exited, 2000);
      live.delete(pid);
      tellReaper(`- ${pid}`);
    })();
    return stopping;
  };
  return { pid, exited, hasExited: () => exitInfo !== undefined, spawnError: () => spawnError, stop };
}

/** The last `maxLines` lines of a log file, for error messages. */
export function tailLog(file: string, maxLines = 20): string {
  try {
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    return lines.slice(-maxLines).join('\n');
  } catch {
    return '';
  }
}
