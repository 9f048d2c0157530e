/**
 * The one place that hides secrets: the mask string, the credential headers, and the Masker that
 * finds a secret in every form flowrun itself may have given it (URL, form and JSON encodings,
 * base64 and base64url, inside longer base64 such as `Basic user:secret`).
 */

/** Header names whose values are always masked, whatever they hold. */
export const SENSITIVE_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
]);
/** What every output shows in place of a secret value. */
export const MASK = '*****';
/**
 * Secrets shorter than this are not searched for in free text (a 3-character secret would mask
 * innocent text everywhere); they are still hidden in credential headers and curl lines.
 */
export const MIN_SECRET_LENGTH = 4;

export const isSensitiveHeader = (name: string): boolean => SENSITIVE_HEADERS.has(name.toLowerCase());

/** Keeps the scheme of an Authorization value (`Bearer *****`) so reports stay readable. */
export function maskHeaderValue(value: string): string {
  const m = /^(Bearer|Basic|Token|Digest|Negotiate|AWS4-HMAC-SHA256)\s+\S/i.exec(value);
  return m ? `${m[1]} ${MASK}` : MASK;
}

/** A copy of `headers` with every credential header masked (a list, such as Set-Cookie, item by item). */
export function maskHeaders<V extends string | string[]>(
  headers: Record<string, V> | undefined,
): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const one = (v: string) => (isSensitiveHeader(name) ? maskHeaderValue(String(v)) : String(v));
    out[name] = (Array.isArray(value) ? value.map(one) : one(value)) as V;
  }
  return out;
}

const CURL_HEADER = new RegExp(
  `(-H\\s+|--header\\s+)(['"]?)(${[...SENSITIVE_HEADERS].join('|')})\\s*:\\s*((?:'\\\\''|[^'"\\n])*)\\2`,
  'gi',
);

/** A curl command line with credential headers, `-b/--cookie` and `-u/--user` values masked. */
export function maskCurl(curl: string): string {
  return curl
    .replace(
      CURL_HEADER,
      (_m, flag: string, q: string, name: string, value: string) =>
        `${flag}${q}${name}: ${maskHeaderValue(value)}${q}`,
    )
    .replace(/(\s)(-b|--cookie|-u|--user)(\s+)(['"]?)[^\s'"]+\4/g, `$1$2$3$4${MASK}$4`);
}

/**
 * Every form of `s` that flowrun may produce when it sends or records it: as is, JSON string
 * escaping, URL component, whole-URL, form/query encoding (URLSearchParams: space as `+`,
 * `!'()~` escaped), and base64/base64url — including the stable middle of the base64 of any
 * longer text that contains `s` (three alignments), so `Basic base64(user:secret)` is caught too.
 */
export function secretForms(s: string): string[] {
  const forms = new Set<string>([s]);
  forms.add(JSON.stringify(s).slice(1, -1));
  forms.add(encodeURIComponent(s));
  forms.add(encodeURI(s));
  const form = new URLSearchParams([['', s]]).toString().slice(1);
  forms.add(form);
  forms.add(form.replace(/\+/g, '%20'));
  forms.add(encodeURIComponent(JSON.stringify(s).slice(1, -1)));
  const bytes = Buffer.from(s);
  for (const enc of ['base64', 'base64url'] as const) {
    forms.add(bytes.toString(enc));
    forms.add(bytes.toString(enc).replace(/=+$/, ''));
    for (let offset = 1; offset <= 2; offset++) {
      // Secret bytes start `offset` bytes into a 3-byte group: the first group mixes in the
      // prefix and the last partial group depends on what follows; the groups between are fixed.
      const skipBytes = 3 - offset;
      const whole = Math.floor((bytes.length - skipBytes) / 3) * 3;
      if (whole >= 3) forms.add(bytes.subarray(skipBytes, skipBytes + whole).toString(enc));
    }
    const tail = Math.floor(bytes.length / 3) * 3;
    if (tail >= 3) forms.add(bytes.subarray(0, tail).toString(enc));
  }
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

/**
 * Report fields that name things rather than carry values: ids, names, files, locations,
 * statuses. Masking never touches them, so a secret that happens to be a common word (`secret`)
 * cannot turn scenario names or ids into `*****`.
 */
// A step name rendered from a template is the exception (see maskableName).
const IDENTITY_KEYS = new Set([
  'id',
  'name',
  'file',
  'location',
  'keyLocation',
  'environment',
  'tags',
  'covers',
  'status',
  'kind',
  'phase',
  'includedFrom',
  'matcher',
  'path',
  'runId',
  'startedAt',
  'endedAt',
]);
/** Results whose `name` was rendered from a template: their name is a value and is masked. */
const renderedNames = new WeakSet<object>();
export const maskableName = (result: object): void => void renderedNames.add(result);

/** Objects that are report structure (scenario, step, assertion): their identity keys are kept. */
const isStructure = (o: Record<string, unknown>): boolean =>
  ('steps' in o && 'status' in o) || ('assertions' in o && 'phase' in o) || ('matcher' in o && 'passed' in o);

/**
 * Masks secret values, and every encoded form of them (see secretForms), in any JSON value or
 * string. Built once per run from the environments' secrets; captures marked `secret: true`
 * are added as they are captured.
 */
export class Masker {
  private readonly secrets = new Set<string>();
  private re?: RegExp;

  constructor(secrets: Iterable<string> = []) {
    for (const s of secrets) this.secrets.add(String(s));
    this.build();
  }

  /** Adds secrets (another environment's, or a `secret: true` capture found during the run). */
  add(secrets: Iterable<string>): void {
    const size = this.secrets.size;
    for (const s of secrets) this.secrets.add(String(s));
    if (this.secrets.size !== size) this.build();
  }

  private build(): void {
    const needles = new Set<string>();
    for (const s of this.secrets)
      if (s.length >= MIN_SECRET_LENGTH) for (const f of secretForms(s)) needles.add(f);
    const sorted = [...needles].sort((a, b) => b.length - a.length);
    this.re = sorted.length ? new RegExp(sorted.map(escape).join('|'), 'g') : undefined;
  }

  get active(): boolean {
    return this.re !== undefined;
  }

  string(s: string): string {
    return this.re && s.length >= MIN_SECRET_LENGTH ? s.replace(this.re, MASK) : s;
  }

  /**
   * A masked copy (headers named in SENSITIVE_HEADERS are masked whatever their value, and so
   * are they in `curl` lines). Objects with nothing to mask are returned as they are, so the
   * common case allocates nothing.
   */
  value<T>(v: T): T {
    return this.walk(v, false) as T;
  }

  private walk(v: unknown, sensitive: boolean, key?: string): unknown {
    if (typeof v === 'string') {
      if (sensitive) return maskHeaderValue(v);
      return this.string(key === 'curl' ? maskCurl(v) : v);
    }
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
    // An HTTP exchange builds its curl line only when a reporter reads it: keep it lazy, masked
    // when read (reading it here, or copying the object with a spread, would build every one).
    const lazyCurl = 'curl' in obj ? Object.getOwnPropertyDescriptor(obj, 'curl')?.get : undefined;
    if (lazyCurl) {
      out = {};
      for (const k in obj) if (k !== 'curl') out[k] = obj[k];
      Object.defineProperty(out, 'curl', {
        enumerable: true,
        configurable: true,
        get: () => this.string(maskCurl(String(lazyCurl.call(obj)))),
      });
    }
    const structure = isStructure(obj);
    for (const k in obj) {
      if (lazyCurl && k === 'curl') continue;
      if (structure && IDENTITY_KEYS.has(k) && !(k === 'name' && renderedNames.has(obj))) continue;
      const x = this.walk(
        obj[k],
        SENSITIVE_LENGTHS.has(k.length) && SENSITIVE_HEADERS.has(k.toLowerCase()),
        k,
      );
      if (x !== obj[k]) (out ??= { ...obj })[k] = x;
    }
    return out ?? v;
  }
}

const SENSITIVE_LENGTHS = new Set([...SENSITIVE_HEADERS].map((h) => h.length));
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
