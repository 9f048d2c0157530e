/** Header names whose values are always masked, whatever they hold. */
export const SENSITIVE_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
]);
export const MASK = '*****';
const SENSITIVE_LENGTHS = new Set([...SENSITIVE_HEADERS].map((h) => h.length));

/**
 * Masks secret values, and values derived from them (base64, URL-encoded, Bearer/Basic forms),
 * in any JSON value or string. Built once per run from the environments' secrets.
 */
export class Masker {
  private readonly needles: string[];
  private readonly re?: RegExp;

  constructor(secrets: Iterable<string>) {
    const set = new Set<string>();
    for (const raw of secrets) {
      const s = String(raw);
      // Very short values would mask innocent text everywhere; they are still masked in headers.
      if (s.length < 4) continue;
      set.add(s);
      set.add(Buffer.from(s).toString('base64'));
      set.add(Buffer.from(s).toString('base64url'));
      set.add(encodeURIComponent(s));
      set.add(JSON.stringify(s).slice(1, -1));
    }
    this.needles = [...set].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
    if (this.needles.length) this.re = new RegExp(this.needles.map(escape).join('|'), 'g');
  }

  get active(): boolean {
    return this.re !== undefined;
  }

  string(s: string): string {
    return this.re && s.length >= 4 ? s.replace(this.re, MASK) : s;
  }

  /**
   * A masked copy (headers named in SENSITIVE_HEADERS are masked whatever their value). Objects
   * with nothing to mask are returned as they are, so the common case allocates nothing.
   */
  value<T>(v: T): T {
    return this.walk(v, false) as T;
  }

  private walk(v: unknown, sensitive: boolean): unknown {
    if (typeof v === 'string') return sensitive ? maskHeader(v) : this.string(v);
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const x = this.walk(v[i], sensitive);
        if (x !== v[i]) (out ??= v.slice())[i] = x;
      }
      return out ?? v;
    }
    let out: Record<string, unknown> | undefined;
    const obj = v as Record<string, unknown>;
    for (const k in obj) {
      const x = this.walk(obj[k], SENSITIVE_LENGTHS.has(k.length) && SENSITIVE_HEADERS.has(k.toLowerCase()));
      if (x !== obj[k]) (out ??= { ...obj })[k] = x;
    }
    return out ?? v;
  }
}

/** Keeps the scheme of an Authorization value (`Bearer *****`) so reports stay readable. */
function maskHeader(v: string): string {
  const m = /^(Bearer|Basic|Token|Digest)\s+/i.exec(v);
  return m ? `${m[1]} ${MASK}` : MASK;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
