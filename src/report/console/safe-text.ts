/**
 * Text that came from outside (response bodies, server messages, headers) made safe to print:
 * no terminal control sequences (a body could move the cursor, retitle the window or hide
 * text) and no GitHub Actions workflow commands (a body line `::add-mask::…`, `::error::…`,
 * `::stop-commands::…` or `##[…]` would be run by the Actions runner).
 */

// C0 controls except tab and newline, DEL, and C1 controls (0x9b is a one-byte CSI).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const ZWSP = '\u200b';

const visible = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** One string: controls shown as `\u001b`, workflow-command markers broken by a zero-width space. */
export function safeText(s: string): string {
  let out = s.replace(CONTROL, visible);
  // The runner reads a command from any line whose trimmed start is `::`, and `##[` anywhere.
  if (out.includes('::')) out = out.replace(/^(\s*):(?=:)/gm, `$1:${ZWSP}`);
  if (out.includes('##[')) out = out.replace(/##\[/g, `#${ZWSP}#[`);
  return out;
}

/** A copy of a JSON value with every string (and key) made safe; untouched values are returned as is. */
export function safeValue<T>(v: T): T {
  return walk(v) as T;
}

const unsafe = (s: string): boolean => HAS_CONTROL.test(s) || s.includes('::') || s.includes('##[');

function walk(v: unknown): unknown {
  if (typeof v === 'string') {
    return unsafe(v) ? safeText(v) : v;
  }
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x = walk(v[i]);
      if (x !== v[i]) (out ??= v.slice())[i] = x;
    }
    return out ?? v;
  }
  let out: Record<string, unknown> | undefined;
  const obj = v as Record<string, unknown>;
  for (const k in obj) {
    const x = walk(obj[k]);
    const key = walk(k) as string;
    if (key !== k) {
      out ??= { ...obj };
      delete out[k];
      out[key] = x;
    } else if (x !== obj[k]) (out ??= { ...obj })[k] = x;
  }
  return out ?? v;
}
