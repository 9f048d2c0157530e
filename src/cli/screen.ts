import type { Screen } from '../types.js';

/** Decides colour and TTY once: NO_COLOR and FORCE_COLOR win, CI and pipes get plain lines. */
export function createScreen(env: NodeJS.ProcessEnv = process.env): Screen {
  const tty = Boolean(process.stdout.isTTY);
  const force = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  const color =
    env.NO_COLOR !== undefined && env.NO_COLOR !== '' ? false : force || (tty && env.TERM !== 'dumb');
  return {
    isTTY: tty && !env.CI,
    color,
    columns: process.stdout.columns || 100,
    out: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  };
}
