/**
 * The request journal: a bounded FIFO so a long run or a chatty application cannot grow memory
 * without limit (a known WireMock failure mode), plus the helpers that turn raw requests into
 * RecordedRequests and describe them in bounded, masked text.
 */
import { maskHeaders, SENSITIVE_HEADERS, type Difference, type RecordedRequest } from './model.js';

/** Bodies above this are stored truncated (matching still sees the whole body). */
export const STORED_BODY_LIMIT = 16 * 1024;
/** The parsed JSON of bodies up to this size is kept for verify; larger ones keep only text. */
export const STORED_JSON_LIMIT = 64 * 1024;

export class Journal {
  private entries: RecordedRequest[] = [];
  private start = 0;
  private nextSeq = 1;
  /** How many entries were evicted because the journal was full. */
  dropped = 0;

  constructor(readonly limit = 1000) {}

  /** The sequence number the next request will get. */
  get seq(): number {
    return this.nextSeq;
  }

  add(entry: Omit<RecordedRequest, 'seq'>): RecordedRequest {
    const recorded = { ...entry, seq: this.nextSeq++ } as RecordedRequest;
    if (recorded.body.length > STORED_BODY_LIMIT) {
      // Copy, because a V8 slice would keep the whole original string alive.
      recorded.body = Buffer.from(recorded.body.slice(0, STORED_BODY_LIMIT), 'utf8').toString('utf8');
      recorded.bodyTruncated = true;
      if (entry.body.length > STORED_JSON_LIMIT) delete recorded.json;
    }
    this.entries.push(recorded);
    if (this.entries.length - this.start > this.limit) {
      this.start++;
      this.dropped++;
      // Compact occasionally rather than shifting on every request (O(1) amortised).
      if (this.start > this.limit) {
        this.entries = this.entries.slice(this.start);
        this.start = 0;
      }
    }
    return recorded;
  }

  /** Entries with seq >= `fromSeq`, oldest first. */
  since(fromSeq: number): RecordedRequest[] {
    const out: RecordedRequest[] = [];
    for (let i = this.start; i < this.entries.length; i++) {
      if (this.entries[i].seq >= fromSeq) out.push(this.entries[i]);
    }
    return out;
  }

  get size(): number {
    return this.entries.length - this.start;
  }

  remove(predicate: (r: RecordedRequest) => boolean): void {
    this.entries = this.entries.slice(this.start).filter((r) => !predicate(r));
    this.start = 0;
  }

  clear(): void {
    this.entries = [];
    this.start = 0;
  }
}

/** Splits a URL's query into a map; repeated keys become lists. */
export function parseQuery(search: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of search) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** JSON.parse that answers undefined instead of throwing: bodies are JSON whatever the content type. */
export function parseJsonBody(body: string): unknown {
  const t = body.trim();
  if (!t || !'{["-0123456789tfn'.includes(t[0])) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 3)}...` : s);

/** One line for a request: `#3 POST /api/v1/payments?x=1 {"amount":200} -> 404`. */
export function describeRequest(r: RecordedRequest, headerNames: string[] = []): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(r.query)) for (const x of Array.isArray(v) ? v : [v]) qs.append(k, x);
  const q = qs.toString();
  const masked = maskHeaders(r.headers);
  // Credentials are always shown as present-but-masked: "was the token sent?" is a common question.
  const names = [
    ...new Set([...headerNames, ...Object.keys(masked).filter((h) => SENSITIVE_HEADERS.has(h))]),
  ];
  const headers = names
    .filter((h) => masked[h] !== undefined)
    .map((h) => `${h}: ${clip(masked[h], 60)}`)
    .join(', ');
  const body = r.body ? ` ${clip(r.body.replace(/\s+/g, ' '), 200)}` : '';
  const status = r.status === undefined ? '' : ` -> ${r.status}`;
  return `#${r.seq} ${r.method} ${r.path}${q ? `?${q}` : ''}${headers ? ` [${headers}]` : ''}${body}${status}`;
}

/** A bounded, masked list of requests for failure messages (the newest when there are many). */
export function listRequests(requests: RecordedRequest[], headerNames: string[] = [], max = 10): string[] {
  const shown = requests.slice(-max);
  const lines = shown.map((r) => `  ${describeRequest(r, headerNames)}`);
  if (requests.length > shown.length)
    lines.unshift(`  (${requests.length - shown.length} older requests not shown)`);
  return lines;
}

/** A JSON-friendly, masked view of a request for reports (`unmatchedRequests`, verify output). */
export function requestSummary(
  r: RecordedRequest,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    seq: r.seq,
    at: r.at,
    method: r.method,
    path: r.path,
    ...(Object.keys(r.query).length ? { query: r.query } : {}),
    headers: maskHeaders(r.headers),
    ...(r.body ? { body: clip(r.body, 2000) } : {}),
    ...(r.status === undefined ? {} : { status: r.status }),
    ...extra,
  };
}

export const diffLines = (diffs: Difference[], max = 5): string =>
  diffs.length === 0
    ? 'matches'
    : diffs
        .slice(0, max)
        .map((d) => d.message)
        .join('; ') + (diffs.length > max ? `; and ${diffs.length - max} more` : '');
