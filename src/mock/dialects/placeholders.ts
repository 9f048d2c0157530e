/**
 * External mock servers render responses themselves, so a flowrun response that echoes the
 * request (`{{request.json.orderId}}`) is rendered once with a stand-in `request` whose leaves
 * are unique tokens; each dialect then swaps the tokens for its own template syntax.
 */
import type { RenderFn } from '../driver.js';

export interface Placeholder {
  token: string;
  /** e.g. ['json', 'orderId'], ['headers', 'x-id'], ['path']. */
  path: string[];
}

const REF = /\brequest((?:\.[A-Za-z0-9_$-]+|\.?\[[^\]]+\])+)/g;

function collectStrings(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => collectStrings(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => collectStrings(v, out));
}

/** Renders `raw` with a token-valued `request`; returns the rendered value and the tokens used. */
export function renderWithPlaceholders(
  raw: unknown,
  render: RenderFn,
): { value: unknown; placeholders: Placeholder[] } {
  const strings: string[] = [];
  collectStrings(raw, strings);
  const request: Record<string, unknown> = {};
  const placeholders: Placeholder[] = [];
  for (const s of strings) {
    for (const tag of s.match(/\{\{[^}]*\}\}/g) ?? []) {
      for (const m of tag.matchAll(REF)) {
        const path = [...m[1].matchAll(/\.?(?:\[([^\]]+)\]|([A-Za-z0-9_$-]+))/g)].map((x) => x[1] ?? x[2]);
        let node = request;
        for (let i = 0; i < path.length - 1; i++) {
          const next = node[path[i]];
          if (typeof next !== 'object' || next === null) node[path[i]] = {};
          node = node[path[i]] as Record<string, unknown>;
        }
        const last = path[path.length - 1];
        if (typeof node[last] !== 'string') {
          const token = `@@flowrun-request-${placeholders.length}@@`;
          node[last] = token;
          placeholders.push({ token, path });
        }
      }
    }
  }
  const value = placeholders.length ? render(raw, { request }) : render(raw, { request: {} });
  return { value, placeholders };
}

/** Replaces every token inside the strings of `value` using `syntax`. */
export function replaceTokens(
  value: unknown,
  placeholders: Placeholder[],
  syntax: (p: Placeholder) => string,
): unknown {
  if (placeholders.length === 0) return value;
  if (typeof value === 'string') {
    let s = value;
    for (const p of placeholders) s = s.split(p.token).join(syntax(p));
    return s;
  }
  if (Array.isArray(value)) return value.map((v) => replaceTokens(v, placeholders, syntax));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, replaceTokens(v, placeholders, syntax)]),
    );
  }
  return value;
}

export const usesTokens = (value: unknown): boolean =>
  JSON.stringify(value ?? null).includes('@@flowrun-request-');

/** `['json','items','0','sku']` -> `$.items[0].sku`. */
export const jsonPathOf = (path: string[]): string =>
  '$' +
  path
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `['${p}']`))
    .join('');
