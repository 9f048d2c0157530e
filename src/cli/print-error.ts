import { Chalk } from 'chalk';
import { FlowrunError, LoadErrors } from '../errors.js';
import { codeFrame, readSmallFile, type YamlSource } from '../scenario/yaml-source.js';
import type { Screen } from '../types.js';

/** Prints load errors once, centrally: `file:line:col error: message`, a hint, and a code frame. */
export function printErrors(
  screen: Screen,
  errors: FlowrunError[],
  sources: Map<string, YamlSource> = new Map(),
): void {
  const c = new Chalk({ level: screen.color ? 1 : 0 });
  const flat = errors.flatMap((e) => (e instanceof LoadErrors ? e.errors : [e]));
  for (const e of flat) {
    const l = e.location;
    const at = l ? `${l.file}:${l.line}:${l.col}: ` : '';
    const lines = [`${c.bold(at)}${c.red('error')}: ${e.message}`];
    if (e.hint) lines.push(`  ${c.cyan('hint')}: ${e.hint}`);
    const text = l ? (sources.get(l.file)?.text ?? readText(l.file)) : undefined;
    if (l && text !== undefined) lines.push(c.dim(codeFrame(text, l)));
    screen.err(lines.join('\n') + '\n');
  }
  if (flat.length > 1) screen.err(c.red(`${flat.length} errors; nothing was run.`));
}

function readText(file: string): string | undefined {
  try {
    // Sized first: the error may be about a file far too big to read.
    return readSmallFile(file);
  } catch {
    return undefined;
  }
}
