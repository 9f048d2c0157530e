import { bundle } from '@apidevtools/json-schema-ref-parser';
import { compilePath, type PathTemplate } from './match.js';

export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** One operation of the document, ready to match requests against. */
export interface Operation {
  /** `GET /articles/{slug}`. */
  id: string;
  method: string;
  path: string;
  template: PathTemplate;
  /** JSON pointer of the operation object in the bundled document. */
  pointer: string;
  node: Record<string, any>;
  tags: string[];
}

/** An OpenAPI document loaded and bundled into one object (internal `#/...` refs only). */
export interface LoadedSpec {
  /** As configured (shown in reports). */
  spec: string;
  title?: string;
  /** The `openapi:` field, e.g. 3.0.3. */
  openapi: string;
  /** 3.1 documents use the JSON Schema 2020-12 dialect; 3.0 documents their own subset. */
  dialect: '3.0' | '3.1';
  doc: Record<string, any>;
  operations: Operation[];
  /** Path prefixes of the servers (`/api/v1`), longest first; '' when none. */
  basePaths: string[];
  /** Origins of servers given with an absolute URL. */
  origins: string[];
}

export const escapePointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Loads an OpenAPI 3.0/3.1 document (YAML or JSON, file or URL) with every `$ref` to other
 * files pulled into it, so one document holds every schema and refs stay internal.
 */
export async function loadSpec(spec: string, location: string): Promise<LoadedSpec> {
  const doc = (await bundle(location, {
    resolve: { http: { safeUrlResolver: false, timeout: 30_000 } },
  } as never)) as unknown as Record<string, any>;
  const version = typeof doc.openapi === 'string' ? doc.openapi : undefined;
  if (!version || !/^3\.[01]\./.test(version)) {
    throw new Error(
      doc.swagger
        ? `Swagger ${String(doc.swagger)} documents are not supported: convert it to OpenAPI 3 (e.g. with swagger2openapi)`
        : `not an OpenAPI 3.0 or 3.1 document (its "openapi" field is ${JSON.stringify(doc.openapi)})`,
    );
  }
  const operations: Operation[] = [];
  for (const [p, item] of Object.entries((doc.paths ?? {}) as Record<string, Record<string, any>>)) {
    const pathItem = deref(doc, item, `/paths/${escapePointer(p)}`);
    for (const method of METHODS) {
      const node = pathItem.value?.[method] as Record<string, any> | undefined;
      if (!node || typeof node !== 'object') continue;
      operations.push({
        id: `${method.toUpperCase()} ${p}`,
        method: method.toUpperCase(),
        path: p,
        template: compilePath(p),
        pointer: `${pathItem.pointer}/${method}`,
        node,
        tags: Array.isArray(node.tags) ? node.tags.map(String) : [],
      });
    }
  }
  const bases = new Set<string>();
  const origins = new Set<string>();
  for (const server of (doc.servers ?? []) as { url?: string; variables?: Record<string, any> }[]) {
    let url = String(server.url ?? '');
    for (const [name, v] of Object.entries(server.variables ?? {}))
      url = url.split(`{${name}}`).join(String(v?.default ?? ''));
    let pathname = url;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
      try {
        const u = new URL(url);
        origins.add(u.origin);
        pathname = u.pathname;
      } catch {
        continue;
      }
    }
    bases.add(decodeURI(pathname).replace(/\/+$/, ''));
  }
  if (bases.size === 0) bases.add('');
  return {
    spec,
    title: typeof doc.info?.title === 'string' ? doc.info.title : undefined,
    openapi: version,
    dialect: version.startsWith('3.1') ? '3.1' : '3.0',
    doc,
    operations,
    basePaths: [...bases].sort((a, b) => b.length - a.length),
    origins: [...origins],
  };
}

/** Follows internal `$ref`s (`#/components/...`) of a bundled document, tracking the pointer. */
export function deref(
  doc: Record<string, any>,
  value: any,
  pointer: string,
): { value: any; pointer: string } {
  const seen = new Set<string>();
  while (value && typeof value === 'object' && typeof value.$ref === 'string') {
    const ref = value.$ref as string;
    if (!ref.startsWith('#') || seen.has(ref)) break;
    seen.add(ref);
    pointer = ref
      .slice(1)
      .split('/')
      .map((seg) => decodeURIComponent(seg))
      .join('/');
    value = resolvePointer(doc, pointer);
  }
  return { value, pointer };
}

export function resolvePointer(doc: unknown, pointer: string): any {
  let node: any = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = node?.[key];
  }
  return node;
}
