import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A process to run: argv, working directory and extra environment. */
export interface Command {
  cmd: string;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
}

/** One measured run of a command. */
export interface Sample {
  wallMs: number;
  /** user + system CPU time of the process and its waited-for children. */
  cpuMs: number | null;
  /** Peak resident set size of the largest process in the tree. */
  rssKiB: number | null;
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface Stat {
  median: number;
  min: number;
  max: number;
}

const TIME_BIN = '/usr/bin/time';
const KEEP_OUTPUT = 16 * 1024;

export const hasGnuTime = existsSync(TIME_BIN);

function tail(chunks: Buffer[]): string {
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length > KEEP_OUTPUT ? text.slice(-KEEP_OUTPUT) : text;
}

/** Keeps the last KEEP_OUTPUT bytes of a stream without holding all of it. */
function collector(): { push: (chunk: Buffer) => void; chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    chunks,
    push(chunk) {
      chunks.push(chunk);
      size += chunk.length;
      while (size - chunks[0].length > KEEP_OUTPUT && chunks.length > 1) size -= chunks.shift()!.length;
    },
  };
}

/**
 * Runs a command under GNU time (for CPU and peak RSS) and measures wall time
 * from spawn to exit with the monotonic clock.
 */
export function measure(command: Command, timeoutMs = 15 * 60_000): Promise<Sample> {
  const dir = mkdtempSync(join(tmpdir(), 'flowrun-bench-'));
  const timeFile = join(dir, 'time.txt');
  const [cmd, args] = hasGnuTime
    ? [TIME_BIN, ['-f', '%U %S %M', '-o', timeFile, '--', command.cmd, ...command.args]]
    : [command.cmd, command.args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, {
      cwd: command.cwd,
      env: { ...process.env, ...command.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = collector();
    const err = collector();
    child.stdout.on('data', out.push);
    child.stderr.on('data', err.push);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      reject(error);
    });
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - started;
      clearTimeout(timer);
      let cpuMs: number | null = null;
      let rssKiB: number | null = null;
      if (hasGnuTime && existsSync(timeFile)) {
        // GNU time prefixes "Command exited with non-zero status N" on failure.
        const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
        const [user, sys, rss] = last.split(' ').map(Number);
        if (Number.isFinite(user) && Number.isFinite(sys)) cpuMs = (user + sys) * 1000;
        if (Number.isFinite(rss)) rssKiB = rss;
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({
        wallMs,
        cpuMs,
        rssKiB,
        exitCode: code ?? (signal ? 128 : 1),
        stdout: tail(out.chunks),
        stderr: tail(err.chunks),
      });
    });
  });
}

export function stat(values: (number | null)[]): Stat | null {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = Math.floor(xs.length / 2);
  const median = xs.length % 2 === 1 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
  return { median, min: xs[0], max: xs[xs.length - 1] };
}

/** Summary of counted samples: wall and CPU in ms, RSS in MiB. */
export interface Summary {
  runs: number;
  failed: number;
  wallMs: Stat | null;
  cpuMs: Stat | null;
  rssMiB: Stat | null;
}

/** A counted run as stored in the report. */
export interface SampleRecord {
  wallMs: number;
  cpuMs: number | null;
  rssMiB: number | null;
  exitCode: number;
  /** Exited 0 and passed the harness's checks. */
  ok: boolean;
}

export function toRecord(sample: Sample, ok: boolean): SampleRecord {
  return {
    wallMs: sample.wallMs,
    cpuMs: sample.cpuMs,
    rssMiB: sample.rssKiB === null ? null : sample.rssKiB / 1024,
    exitCode: sample.exitCode,
    ok,
  };
}

export function summarize(samples: SampleRecord[]): Summary {
  const ok = samples.filter((s) => s.ok);
  return {
    runs: samples.length,
    failed: samples.length - ok.length,
    wallMs: stat(ok.map((s) => s.wallMs)),
    cpuMs: stat(ok.map((s) => s.cpuMs)),
    rssMiB: stat(ok.map((s) => s.rssMiB)),
  };
}
