import path from 'node:path';
import { dereference } from '@apidevtools/json-schema-ref-parser';
import { UsageError } from '../errors.js';
import type { ImportedFile, ImportResult } from './output.js';
import { slug, varName } from './output.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export interface OpenApiImportOptions {
  /** Folder for the scenario files (relative to cwd), default scenarios/api. */
  out: string;
  cwd: string;
}

/**
 * `flowrun import openapi <spec>`: one scenario per tag (or first path segment), one step per
 * operation with an example request and `expect.status` from its first success response, and an
 * environment whose baseUrl is the first server, whose secrets are the security schemes and which
 * names the document, so every step is contract-checked.
 */
export async function importOpenApi(source: string, o: OpenApiImportOptions): Promise<ImportResult> {
  const isUrl = /^https?:\/\//i.test(source);
  const location = isUrl ? source : path.resolve(o.cwd, source);
  let doc: Record<string, any>;
  try {
    doc = (await dereference(location, {
      dereference: { circular: 'ignore' },
      resolve: { http: { safeUrlResolver: false, timeout: 30_000 } },
    } as never)) as unknown as Record<string, any>;
  } catch (error) {
    throw new UsageError(`cannot read the OpenAPI document ${source}: ${(error as Error).message}`);
  }
  if (typeof doc.openapi !== 'string' || !/^3\./.test(doc.openapi))
    throw new UsageError(`${source} is not an OpenAPI 3 document (no "openapi: 3.x" field)`);
  const notes: string[] = [];
  const groups = new Map<string, { steps: unknown[]; vars: Record<string, unknown>; description?: string }>();
  const tagInfo = new Map<string, string>(
    ((doc.tags ?? []) as { name: string; description?: string }[]).map((t) => [t.name, t.description ?? '']),
  );
  const secretsUsed = new Map<string, string>();
  const schemes = (doc.components?.securitySchemes ?? {}) as Record<string, Record<string, any>>;
  let operations = 0;
  for (const [p, item] of Object.entries((doc.paths ?? {}) as Record<string, Record<string, any>>)) {
    for (const method of METHODS) {
      const op = item?.[method] as Record<string, any> | undefined;
      if (!op) continue;
      operations++;
      const id = `${method.toUpperCase()} ${p}`;
      const group =
        (op.tags?.[0] as string | undefined) ?? p.split('/').find((s) => s && !s.startsWith('{')) ?? 'root';
      const g = groups.get(group) ?? { steps: [], vars: {}, description: tagInfo.get(group) };
      groups.set(group, g);
      const params = [...((item.parameters ?? []) as any[]), ...((op.parameters ?? []) as any[])];
      let url = p;
      const query: Record<string, unknown> = {};
      const headers: Record<string, string> = {};
      for (const param of params) {
        const value = exampleOfParameter(param);
        if (param.in === 'path') {
          const name = varName(param.name);
          url = url.split(`{${param.name}}`).join(`{{${name}}}`);
          if (!(name in g.vars)) g.vars[name] = value ?? 1;
        } else if (param.in === 'query' && (param.required || value !== undefined)) {
          if (param.required || param.example !== undefined || param.schema?.default !== undefined)
            query[param.name] = value ?? '';
        } else if (param.in === 'header' && param.required) headers[param.name] = String(value ?? '');
        else if (param.in === 'cookie' && param.required)
          notes.push(`${id}: cookie parameter "${param.name}" not translated (set a Cookie header)`);
      }
      const security = (op.security ?? doc.security ?? []) as Record<string, string[]>[];
      const requirement = security.find((r) => Object.keys(r).every((n) => schemes[n])) ?? {};
      for (const name of Object.keys(requirement)) {
        const scheme = schemes[name];
        const secret = varName(name);
        if (scheme.type === 'apiKey') {
          secretsUsed.set(secret, scheme.name);
          if (scheme.in === 'header') headers[scheme.name] = `{{secrets.${secret}}}`;
          else if (scheme.in === 'query') query[scheme.name] = `{{secrets.${secret}}}`;
          else headers.Cookie = `${scheme.name}={{secrets.${secret}}}`;
        } else if (scheme.type === 'http' && /^basic$/i.test(scheme.scheme)) {
          secretsUsed.set(secret, 'user:password');
          headers.Authorization = `Basic {{base64 secrets.${secret}}}`;
        } else if (['http', 'oauth2', 'openIdConnect'].includes(scheme.type)) {
          secretsUsed.set(secret, 'a bearer token');
          headers.Authorization = `Bearer {{secrets.${secret}}}`;
        } else notes.push(`${id}: security scheme "${name}" (${scheme.type}) not translated`);
      }
      const http: Record<string, unknown> = { method: method.toUpperCase(), url };
      if (Object.keys(query).length) http.query = query;
      if (Object.keys(headers).length) http.headers = headers;
      const content = op.requestBody?.content as Record<string, any> | undefined;
      if (content) {
        const type =
          Object.keys(content).find((t) => /json/i.test(t)) ??
          Object.keys(content).find((t) => t === 'application/x-www-form-urlencoded');
        if (!type) notes.push(`${id}: request body ${Object.keys(content).join(', ')} not translated`);
        else {
          const example = exampleOfMedia(content[type], 'request');
          if (type === 'application/x-www-form-urlencoded') {
            const form: Record<string, string> = {};
            for (const [k, v] of Object.entries((example ?? {}) as object))
              if (v !== null && typeof v !== 'object') form[k] = String(v);
            http.form = form;
          } else {
            http.json = example ?? {};
            if (!/^application\/json/i.test(type))
              http.headers = { ...(http.headers as object), 'content-type': type };
          }
        }
      }
      const success = Object.keys(op.responses ?? {})
        .filter((k) => /^2\d\d$/.test(k))
        .sort()[0];
      const step: Record<string, unknown> = {
        name: String(op.summary ?? op.operationId ?? id).trim(),
        http,
      };
      if (success) step.expect = { status: Number(success) };
      else notes.push(`${id}: no 2xx response declared, so no expect.status`);
      g.steps.push(step);
    }
  }
  if (operations === 0) throw new UsageError(`${source} has no operations (paths is empty)`);
  const outDir = o.out.replace(/\/+$/, '');
  const files: ImportedFile[] = [];
  const title = String(doc.info?.title ?? 'API');
  for (const [group, g] of groups) {
    const data: Record<string, unknown> = {
      name: `${title}: ${group}`,
      ...(g.description ? { description: g.description } : {}),
      tags: ['api', slug(group)],
    };
    if (Object.keys(g.vars).length) data.vars = g.vars;
    data.steps = g.steps;
    files.push({
      file: `${outDir}/${slug(group)}.yaml`,
      kind: 'scenario',
      data,
      header: `Imported from ${source} by flowrun import openapi: edit it freely.`,
    });
  }
  const envName = slug(path.basename(outDir)) || 'api';
  const envFile = `environments/${envName}.yaml`;
  const server = String(doc.servers?.[0]?.url ?? '');
  let baseUrl = server;
  for (const [name, v] of Object.entries((doc.servers?.[0]?.variables ?? {}) as Record<string, any>))
    baseUrl = baseUrl.split(`{${name}}`).join(String(v?.default ?? ''));
  if (!/^https?:\/\//i.test(baseUrl)) {
    notes.push(
      `the first server "${server || '(none)'}" is not an absolute URL: set baseUrl in ${envFile} (API_BASE_URL)`,
    );
    baseUrl = `{{env.API_BASE_URL}}${baseUrl.replace(/\/+$/, '')}`;
  }
  const env: Record<string, unknown> = {
    name: envName,
    baseUrl,
    openapi: isUrl
      ? source
      : path.relative(path.resolve(o.cwd, 'environments'), location).split(path.sep).join('/'),
    contract: 'fail',
  };
  if (secretsUsed.size)
    env.secrets = Object.fromEntries(
      [...secretsUsed.keys()].map((k) => [
        k,
        `{{env.${k.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}}}`,
      ]),
    );
  files.push({
    file: envFile,
    kind: 'environment',
    data: env,
    header: `Imported from ${source}: the first server, the security schemes as secrets (from the process environment).`,
  });
  return {
    files,
    notes,
    summary: `${operations} operation${operations === 1 ? '' : 's'} in ${groups.size} scenario file${groups.size === 1 ? '' : 's'}; ${notes.length} thing${notes.length === 1 ? '' : 's'} not translated`,
  };
}

function exampleOfParameter(param: Record<string, any>): unknown {
  if (param.example !== undefined) return param.example;
  const first = Object.values((param.examples ?? {}) as Record<string, { value?: unknown }>)[0];
  if (first?.value !== undefined) return first.value;
  return param.schema ? exampleOf(param.schema, 'request', 0) : undefined;
}

function exampleOfMedia(media: Record<string, any>, direction: 'request' | 'response'): unknown {
  if (media?.example !== undefined) return media.example;
  const first = Object.values((media?.examples ?? {}) as Record<string, { value?: unknown }>)[0];
  if (first?.value !== undefined) return first.value;
  return media?.schema ? exampleOf(media.schema, direction, 0) : undefined;
}

const STRING_FORMATS: Record<string, string> = {
  email: 'user@example.com',
  'date-time': '2024-01-01T00:00:00Z',
  date: '2024-01-01',
  uuid: '00000000-0000-4000-8000-000000000000',
  uri: 'https://example.com',
  hostname: 'example.com',
  ipv4: '127.0.0.1',
  password: 'Secret123!',
};

/** An example value for a (dereferenced) schema: its example, default, enum, else one built from its type. */
export function exampleOf(schema: any, direction: 'request' | 'response', depth: number): unknown {
  if (!schema || typeof schema !== 'object' || depth > 6) return undefined;
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  if (Array.isArray(schema.allOf)) {
    const parts = schema.allOf.map((s: any) => exampleOf(s, direction, depth + 1));
    return parts.every((p: unknown) => p && typeof p === 'object' && !Array.isArray(p))
      ? Object.assign({}, ...parts)
      : parts.find((p: unknown) => p !== undefined);
  }
  for (const key of ['oneOf', 'anyOf'])
    if (Array.isArray(schema[key])) return exampleOf(schema[key][0], direction, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  switch (type ?? (schema.properties ? 'object' : schema.items ? 'array' : undefined)) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const hidden = direction === 'request' ? 'readOnly' : 'writeOnly';
      for (const [k, s] of Object.entries((schema.properties ?? {}) as Record<string, any>)) {
        if (s?.[hidden]) continue;
        const v = exampleOf(s, direction, depth + 1);
        if (v !== undefined) out[k] = v;
      }
      return out;
    }
    case 'array': {
      const item = exampleOf(schema.items, direction, depth + 1);
      return item === undefined ? [] : [item];
    }
    case 'string':
      return (
        STRING_FORMATS[schema.format as string] ??
        (schema.minLength > 6 ? 'x'.repeat(schema.minLength) : 'string')
      );
    case 'integer':
      return typeof schema.minimum === 'number' ? Math.ceil(schema.minimum) : 1;
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1.5;
    case 'boolean':
      return true;
    default:
      return undefined;
  }
}
