import type { ErrorObject } from 'ajv';
import type { ApiOperation, AssertionResult, ContractRecord, HttpExchange, Location } from '../types.js';
import { matchPath, stripBase } from './match.js';
import { SchemaSet, type Direction } from './schema.js';
import { deref, escapePointer, resolvePointer, type LoadedSpec, type Operation } from './spec.js';

export type ContractMode = 'fail' | 'warn' | 'strict';

/** What the check found for one exchange: the coverage record and the failed checks. */
export interface ContractOutcome {
  record?: ContractRecord;
  assertions: AssertionResult[];
}

const MAX_ERRORS = 5;

/**
 * Checks HTTP exchanges against one OpenAPI document: the request must match an operation
 * (method, server base path, path template); the response status must be declared (exactly, by
 * a `4XX` range or by `default`); its content type must be declared; its body must validate
 * against the declared schema. Validators are compiled once per schema, on first use.
 */
export class Contract {
  private readonly byMethod = new Map<string, Operation[]>();
  private readonly origins?: Set<string>;
  private sets: Partial<Record<Direction, SchemaSet>> = {};

  constructor(
    readonly spec: LoadedSpec,
    private readonly settings: { mode: ContractMode; requests: boolean; baseUrl?: string },
  ) {
    for (const op of spec.operations) {
      const list = this.byMethod.get(op.method) ?? [];
      list.push(op);
      this.byMethod.set(op.method, list);
    }
    // Requests to other hosts (mock servers, third parties) are not the API under test.
    if (settings.baseUrl) {
      try {
        this.origins = new Set([new URL(settings.baseUrl).origin, ...spec.origins]);
      } catch {
        this.origins = undefined;
      }
    }
  }

  /** Every operation with its declared response keys (what coverage is measured against). */
  catalog(): ApiOperation[] {
    return this.spec.operations.map((op) => ({
      id: op.id,
      declared: Object.keys(
        (deref(this.spec.doc, op.node.responses, `${op.pointer}/responses`).value ?? {}) as object,
      ),
    }));
  }

  /** The operation a request goes to; undefined when out of scope; null when undocumented. */
  match(method: string, url: string): Operation | null | undefined {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return undefined;
    }
    if (this.origins && !this.origins.has(u.origin)) return undefined;
    let pathname: string;
    try {
      pathname = decodeURI(u.pathname);
    } catch {
      pathname = u.pathname;
    }
    const rest = stripBase(pathname, this.spec.basePaths);
    if (rest === undefined) return null;
    return matchPath(this.byMethod.get(method.toUpperCase()) ?? [], rest) ?? null;
  }

  check(exchange: HttpExchange, location: Location, step?: { requests?: boolean }): ContractOutcome {
    const { method, url } = exchange.request;
    const op = this.match(method, url);
    if (op === undefined) return { assertions: [] };
    const spec = this.spec.spec;
    if (op === null) {
      const request = `${method.toUpperCase()} ${safePath(url)}`;
      const assertions: AssertionResult[] =
        this.settings.mode === 'strict'
          ? [
              {
                path: `contract ${request}`,
                matcher: 'contract',
                expected: `an operation of ${spec}`,
                actual: request,
                passed: false,
                message: `contract: ${request} is not documented in ${spec} (no operation matches; contract: strict)`,
                location,
                source: 'contract',
              },
            ]
          : [];
      return { record: { spec, undocumented: request }, assertions };
    }
    const res = exchange.response;
    const out: AssertionResult[] = [];
    const fail = (what: string, expected: unknown, actual: unknown, message: string) =>
      out.push({
        path: `contract ${op.id} ${what}`.trim(),
        matcher: 'contract',
        expected,
        actual,
        passed: false,
        message: `contract ${op.id}: ${message}`,
        location,
        source: 'contract',
        ...(this.settings.mode === 'warn' ? { warning: true } : {}),
      });
    if (step?.requests ?? this.settings.requests) this.checkRequest(op, exchange, fail);
    if (res) this.checkResponse(op, res, fail);
    return { record: { spec, operation: op.id, ...(res ? { status: res.status } : {}) }, assertions: out };
  }

  private checkResponse(
    op: Operation,
    res: NonNullable<HttpExchange['response']>,
    fail: (what: string, expected: unknown, actual: unknown, message: string) => void,
  ): void {
    const doc = this.spec.doc;
    const responses = deref(doc, op.node.responses, `${op.pointer}/responses`);
    const declared = Object.keys((responses.value ?? {}) as object);
    const status = String(res.status);
    const key =
      declared.find((k) => k === status) ??
      declared.find((k) => k.toUpperCase() === `${status[0]}XX`) ??
      declared.find((k) => k === 'default');
    if (!key) {
      fail(
        'status',
        declared,
        res.status,
        `status ${status} is not declared (declared: ${declared.join(', ') || 'none'})`,
      );
      return;
    }
    const response = deref(doc, responses.value[key], `${responses.pointer}/${escapePointer(key)}`);
    const label = `→ ${status}`;
    this.checkContent(response, headerOf(res.headers, 'content-type'), res.body, 'response', label, fail);
  }

  private checkRequest(
    op: Operation,
    exchange: HttpExchange,
    fail: (what: string, expected: unknown, actual: unknown, message: string) => void,
  ): void {
    const doc = this.spec.doc;
    if (!op.node.requestBody) return;
    const requestBody = deref(doc, op.node.requestBody, `${op.pointer}/requestBody`);
    const body = exchange.request.body;
    if (body === undefined || body === '') {
      if (requestBody.value?.required === true)
        fail('request body', 'a body', undefined, 'the request has no body but requestBody is required');
      return;
    }
    this.checkContent(
      requestBody,
      headerOf(exchange.request.headers, 'content-type'),
      body,
      'request',
      'request',
      fail,
    );
  }

  /** Content type declared, then the body against its schema (JSON media types only). */
  private checkContent(
    owner: { value: any; pointer: string },
    contentType: string | undefined,
    body: unknown,
    direction: Direction,
    label: string,
    fail: (what: string, expected: unknown, actual: unknown, message: string) => void,
  ): void {
    const content = owner.value?.content as Record<string, { schema?: unknown }> | undefined;
    if (!content || Object.keys(content).length === 0) return;
    if (body === undefined || body === '') return;
    const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
    const media = pickMedia(Object.keys(content), type);
    if (!media) {
      fail(
        `${label} content-type`,
        Object.keys(content),
        contentType ?? null,
        `${label === 'request' ? 'request' : `response ${label}`} content type ${type ? `"${type}"` : '(none)'} is not declared (declared: ${Object.keys(content).join(', ')})`,
      );
      return;
    }
    const schema = content[media]?.schema;
    if (schema === undefined || !isJsonType(type || media)) return;
    let value = body;
    if (typeof value === 'string' && direction === 'request') {
      try {
        value = JSON.parse(value);
      } catch {
        // validated as the string it is
      }
    }
    const pointer = `${owner.pointer}/content/${escapePointer(media)}/schema`;
    let validate;
    try {
      validate = this.schemas(direction).validator(pointer);
    } catch (error) {
      fail(
        `${label} schema`,
        pointer,
        null,
        `the schema at #${pointer} cannot be compiled: ${(error as Error).message}`,
      );
      return;
    }
    if (validate(value)) return;
    for (const e of relevant(validate.errors ?? []).slice(0, MAX_ERRORS)) {
      const at = e.instancePath || '';
      const actual = resolvePointer(value, e.instancePath);
      const schemaAt = schemaLocation(e.schemaPath);
      fail(
        `${label} body${at}`,
        expectedOf(e),
        actual,
        `${describe(label)} body${at ? ` at ${at}` : ''} ${explain(e)}, got ${show(actual)} (schema ${schemaAt})`,
      );
    }
  }

  private schemas(direction: Direction): SchemaSet {
    return (this.sets[direction] ??= new SchemaSet(this.spec.doc, this.spec.dialect, direction));
  }
}

const describe = (label: string): string => (label === 'request' ? 'request' : `response ${label}`);

const headerOf = (headers: Record<string, string | string[]>, name: string): string | undefined => {
  for (const k in headers) {
    if (k.toLowerCase() !== name) continue;
    const v = headers[k];
    return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
};

/** The declared media type for a content type: exact, then `type/*`, then `*\/*`. */
function pickMedia(declared: string[], type: string): string | undefined {
  const bare = declared.map((d) => [d, d.split(';')[0].trim().toLowerCase()] as const);
  return (
    bare.find(([, d]) => d === type)?.[0] ??
    bare.find(([, d]) => d.endsWith('/*') && type.startsWith(d.slice(0, -1)))?.[0] ??
    bare.find(([, d]) => d === '*/*')?.[0]
  );
}

const isJsonType = (type: string): boolean => /^application\/(.+\+)?json$/.test(type) || type === '*/*';

/** ajv reports every branch of anyOf/oneOf; the branch errors say more than the summary. */
function relevant(errors: ErrorObject[]): ErrorObject[] {
  const specific = errors.filter((e) => !['anyOf', 'oneOf', 'if'].includes(e.keyword));
  return specific.length ? specific : errors;
}

function explain(e: ErrorObject): string {
  if (e.keyword === 'not' && /(read|write)Only/.test(String((e.parentSchema as any)?.description ?? '')))
    return `must not be present (${String((e.parentSchema as any).description)})`;
  if (e.keyword === 'not' && e.schemaPath.endsWith('/not')) return 'must not be present';
  if (e.keyword === 'additionalProperties')
    return `has the undeclared property "${String(e.params.additionalProperty)}"`;
  if (e.keyword === 'required') return `must have the property "${String(e.params.missingProperty)}"`;
  return e.message ?? e.keyword;
}

function expectedOf(e: ErrorObject): unknown {
  switch (e.keyword) {
    case 'type':
      return { type: e.params.type };
    case 'required':
      return { required: e.params.missingProperty };
    case 'enum':
      return { enum: e.params.allowedValues };
    default:
      return { [e.keyword]: e.params };
  }
}

/** `openapi.json#/components/schemas/Profile/properties/username/type` -> `#/components/...`. */
const schemaLocation = (schemaPath: string): string => {
  const hash = schemaPath.indexOf('#');
  const p = hash >= 0 ? schemaPath.slice(hash) : schemaPath;
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
};

const show = (v: unknown): string => {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
};

const safePath = (url: string): string => {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
};
