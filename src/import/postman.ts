import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { ImportedFile, ImportResult } from './output.js';
import { slug, varName } from './output.js';
import { translateTests } from './postman-script.js';

interface Item {
  name?: string;
  item?: Item[];
  request?: any;
  event?: { listen: string; script?: { exec?: string[] | string } }[];
  auth?: any;
}

export interface PostmanImportOptions {
  out: string;
  cwd: string;
  /** A Postman environment file (postman_environment.json). */
  env?: string;
}

const SECRET_NAME = /(token|secret|passw|api[-_]?key|auth|credential)/i;

/** Postman's dynamic variables and the flowrun helpers that do the same. */
const DYNAMIC: Record<string, string> = {
  $guid: 'uuid',
  $randomUUID: 'uuid',
  $timestamp: 'timestamp',
  $isoTimestamp: 'now',
  $randomInt: 'randomInt 0 1000',
  $randomEmail: 'randomEmail',
  $randomExampleEmail: 'randomEmail',
};

const scriptOf = (item: Item | { event?: Item['event'] }, listen: string): string =>
  (item.event ?? [])
    .filter((e) => e.listen === listen)
    .map((e) => (Array.isArray(e.script?.exec) ? e.script.exec.join('\n') : String(e.script?.exec ?? '')))
    .join('\n')
    .trim();

/**
 * `flowrun import postman <collection.json> [--env env.json]`: folders become scenarios (or, when
 * one folder uses what an earlier one captured, flows included in order by one scenario),
 * requests become steps, variables an environment file, test scripts expectations and captures.
 */
export async function importPostman(source: string, o: PostmanImportOptions): Promise<ImportResult> {
  const collection = await readJson(source, o.cwd);
  const info = collection.info ?? {};
  if (!Array.isArray(collection.item) || (info.schema && !/v2\.[01]/.test(String(info.schema))))
    throw new UsageError(`${source} is not a Postman collection v2.0/v2.1 (export it as Collection v2.1)`);
  const environment = o.env ? await readJson(o.env, o.cwd) : undefined;
  const notes: string[] = [];

  // Variables: collection's, then the environment's (which win, as in Postman).
  const values = new Map<string, { value: unknown; secret: boolean }>();
  for (const v of (collection.variable ?? []) as any[])
    if (v?.key && v.disabled !== true)
      values.set(String(v.key), { value: v.value ?? '', secret: v.type === 'secret' });
  for (const v of (environment?.values ?? []) as any[])
    if (v?.key && v.enabled !== false)
      values.set(String(v.key), { value: v.value ?? '', secret: v.type === 'secret' });
  const secrets = new Set([...values].filter(([k, v]) => v.secret || SECRET_NAME.test(k)).map(([k]) => k));
  const renamed = new Map<string, string>();
  const rename = (name: string): string => {
    const r = /^[A-Za-z_][\w]*$/.test(name) ? name : varName(name);
    if (r !== name && !renamed.has(name)) {
      renamed.set(name, r);
      notes.push(`variable "${name}" is written {{${r}}} (flowrun names are identifiers)`);
    }
    return r;
  };
  const unknownDynamic = new Set<string>();
  const template = (text: unknown): unknown => {
    if (typeof text !== 'string') return text;
    return text.replace(/\{\{\s*([^{}]+?)\s*\}\}/g, (_m, name: string) => {
      if (name.startsWith('$')) {
        if (DYNAMIC[name]) return `{{${DYNAMIC[name]}}}`;
        unknownDynamic.add(name);
        return `{{${name}}}`;
      }
      const n = rename(name);
      return secrets.has(name) ? `{{secrets.${n}}}` : `{{${n}}}`;
    });
  };
  const templateDeep = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(templateDeep)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, templateDeep(x)]))
        : template(v);

  let assertions = 0;
  let translated = 0;
  let scriptsLeft = 0;
  interface Group {
    name: string;
    steps: Record<string, unknown>[];
    comments: Map<number, string>;
    captured: Set<string>;
    used: Set<string>;
  }
  const groups: Group[] = [];
  const walk = (
    items: Item[],
    group: Group,
    inherited: { auth?: any; tests: string[]; pre: string[] },
    prefix: string,
  ) => {
    for (const item of items) {
      if (Array.isArray(item.item)) {
        walk(
          item.item,
          group,
          {
            auth: item.auth ?? inherited.auth,
            tests: [...inherited.tests, scriptOf(item, 'test')].filter(Boolean),
            pre: [...inherited.pre, scriptOf(item, 'prerequest')].filter(Boolean),
          },
          `${prefix}${item.name ?? 'folder'} / `,
        );
        continue;
      }
      if (!item.request) continue;
      const step = requestStep(item, inherited.auth, prefix);
      const comments: string[] = [];
      const pre = [...inherited.pre, scriptOf(item, 'prerequest')].filter(Boolean).join('\n');
      if (pre) {
        scriptsLeft++;
        comments.push('TODO pre-request script (not translated):', ...pre.split('\n'));
      }
      const tests = [...inherited.tests, scriptOf(item, 'test')].filter(Boolean).join('\n');
      if (tests) {
        const t = translateTests(tests, rename);
        assertions += t.assertions;
        translated += t.translated;
        const expect: Record<string, unknown> = {};
        if (t.expect.status !== undefined) expect.status = t.expect.status;
        if (Object.keys(t.expect.headers).length) expect.headers = templateDeep(t.expect.headers);
        if (Object.keys(t.expect.body).length) expect.body = templateDeep(t.expect.body);
        if (t.expect.duration !== undefined) expect.duration = t.expect.duration;
        if (Object.keys(expect).length) step.expect = expect;
        if (Object.keys(t.capture).length) step.capture = t.capture;
        for (const c of t.captured) group.captured.add(c);
        if (t.todo.length)
          comments.push('TODO test script (not translated):', ...t.todo.flatMap((s) => s.split('\n')));
      }
      for (const name of namesUsed(step)) if (!group.captured.has(name)) group.used.add(name);
      if (comments.length) group.comments.set(group.steps.length, comments.join('\n'));
      group.steps.push(step);
    }
  };

  function requestStep(item: Item, inheritedAuth: any, prefix: string): Record<string, unknown> {
    const r = typeof item.request === 'string' ? { url: item.request, method: 'GET' } : item.request;
    const name = `${prefix}${item.name ?? 'request'}`;
    let url = typeof r.url === 'string' ? r.url : String(r.url?.raw ?? '');
    for (const v of (r.url?.variable ?? []) as any[])
      if (v?.key) url = url.split(`:${v.key}`).join(String(v.value ?? `{{${v.key}}}`));
    const http: Record<string, unknown> = {
      method: String(r.method ?? 'GET').toUpperCase(),
      url: template(url),
    };
    const headers: Record<string, unknown> = {};
    for (const h of (r.header ?? []) as any[])
      if (h?.key && h.disabled !== true) headers[h.key] = template(h.value ?? '');
    const auth = r.auth ?? item.auth ?? inheritedAuth;
    if (auth && auth.type !== 'noauth') {
      const param = (key: string) => {
        const list = auth[auth.type];
        const found = Array.isArray(list) ? list.find((p: any) => p.key === key)?.value : list?.[key];
        return found === undefined ? undefined : String(found);
      };
      if (auth.type === 'bearer') headers.Authorization = `Bearer ${String(template(param('token') ?? ''))}`;
      else if (auth.type === 'basic') {
        const part = (v: string | undefined) => {
          const m = /^\{\{\s*([^{}]+?)\s*\}\}$/.exec(v ?? '');
          if (m) return secrets.has(m[1]) ? `secrets.${rename(m[1])}` : rename(m[1]);
          return JSON.stringify(v ?? '');
        };
        headers.Authorization = `Basic {{base64 (concat ${part(param('username'))} ":" ${part(param('password'))})}}`;
      } else if (auth.type === 'apikey') {
        const key = param('key') ?? 'X-API-Key';
        const value = template(param('value') ?? '');
        if (param('in') === 'query') http.query = { ...(http.query as object), [key]: value };
        else headers[key] = value;
      } else if (auth.type === 'oauth2' && param('accessToken'))
        headers.Authorization = `Bearer ${String(template(param('accessToken')))}`;
      else notes.push(`${name}: ${auth.type} auth not translated`);
    }
    const body = r.body;
    if (body && body.disabled !== true) {
      if (body.mode === 'raw' && body.raw) {
        const isJson =
          body.options?.raw?.language === 'json' ||
          Object.entries(headers).some(
            ([k, v]) => k.toLowerCase() === 'content-type' && /json/i.test(String(v)),
          );
        let parsed: unknown;
        if (isJson) {
          try {
            parsed = JSON.parse(body.raw);
          } catch {
            parsed = undefined;
          }
        }
        if (parsed !== undefined) {
          http.json = templateDeep(parsed);
          for (const k of Object.keys(headers))
            if (k.toLowerCase() === 'content-type' && /^application\/json\s*$/i.test(String(headers[k])))
              delete headers[k];
        } else http.body = template(body.raw);
      } else if (body.mode === 'urlencoded') {
        const form: Record<string, unknown> = {};
        for (const p of (body.urlencoded ?? []) as any[])
          if (p?.key && p.disabled !== true) form[p.key] = template(p.value ?? '');
        http.form = form;
        for (const k of Object.keys(headers)) if (k.toLowerCase() === 'content-type') delete headers[k];
      } else if (body.mode === 'graphql') {
        let variables: unknown;
        try {
          variables = body.graphql?.variables ? JSON.parse(body.graphql.variables) : undefined;
        } catch {
          variables = undefined;
        }
        http.json = templateDeep({ query: body.graphql?.query ?? '', ...(variables ? { variables } : {}) });
      } else if (body.mode) notes.push(`${name}: ${body.mode} body not translated`);
    }
    if (Object.keys(headers).length) http.headers = headers;
    return { name, http };
  }

  const top: Group = {
    name: String(info.name ?? 'collection'),
    steps: [],
    comments: new Map(),
    captured: new Set(),
    used: new Set(),
  };
  const rootScripts = {
    auth: collection.auth,
    tests: [scriptOf(collection, 'test')].filter(Boolean),
    pre: [scriptOf(collection, 'prerequest')].filter(Boolean),
  };
  for (const item of collection.item as Item[]) {
    if (Array.isArray(item.item)) {
      const g: Group = {
        name: item.name ?? 'folder',
        steps: [],
        comments: new Map(),
        captured: new Set(),
        used: new Set(),
      };
      walk(
        item.item,
        g,
        {
          auth: item.auth ?? rootScripts.auth,
          tests: [...rootScripts.tests, scriptOf(item, 'test')].filter(Boolean),
          pre: [...rootScripts.pre, scriptOf(item, 'prerequest')].filter(Boolean),
        },
        '',
      );
      groups.push(g);
    } else walk([item], top, rootScripts, '');
  }
  if (top.steps.length) groups.unshift(top);
  for (const d of unknownDynamic)
    notes.push(`dynamic variable {{${d}}} has no flowrun equivalent: replace it`);

  // A variable a script sets from a response is a capture, never a secret from the environment.
  const capturedAll = new Set(groups.flatMap((g) => [...g.captured]));
  const wasSecret = [...capturedAll].filter((c) => secrets.has(c));
  if (wasSecret.length) {
    const unsecret = (v: unknown): unknown =>
      typeof v === 'string'
        ? wasSecret.reduce((t, name) => t.split(`secrets.${rename(name)}`).join(rename(name)), v)
        : Array.isArray(v)
          ? v.map(unsecret)
          : v && typeof v === 'object'
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unsecret(x)]))
            : v;
    for (const g of groups) g.steps = g.steps.map((st) => unsecret(st) as Record<string, unknown>);
    for (const name of wasSecret) secrets.delete(name);
  }
  // A folder that uses what an earlier folder captured needs it in the same scenario.
  const capturedBefore = new Set<string>();
  let chained = false;
  for (const g of groups) {
    for (const name of g.used) if (capturedBefore.has(name)) chained = true;
    for (const c of g.captured) capturedBefore.add(c);
  }
  const outDir = o.out.replace(/\/+$/, '');
  const collectionName = String(info.name ?? 'collection');
  const files: ImportedFile[] = [];
  const header = `Imported from ${source} by flowrun import postman: edit it freely.`;
  const envName = slug(environment?.name ?? path.basename(outDir) ?? 'postman');
  if (chained) {
    notes.push(
      'folders use values captured by earlier folders: they are flows, run in order by one scenario',
    );
    const include: Record<string, unknown>[] = [];
    for (const g of groups) {
      const file = `${outDir}/flows/${slug(g.name)}.yaml`;
      files.push({
        file,
        kind: 'flow',
        data: { name: g.name, steps: g.steps },
        stepComments: g.comments,
        header,
      });
      include.push({ include: `flows/${slug(g.name)}.yaml` });
    }
    files.push({
      file: `${outDir}/${slug(collectionName)}.yaml`,
      kind: 'scenario',
      data: { name: collectionName, tags: ['postman'], steps: include },
      header,
    });
  } else {
    for (const g of groups)
      files.push({
        file: `${outDir}/${slug(g.name)}.yaml`,
        kind: 'scenario',
        data: {
          name: g === top ? collectionName : `${collectionName}: ${g.name}`,
          tags: ['postman'],
          steps: g.steps,
        },
        stepComments: g.comments,
        header,
      });
  }
  // Names the steps use must exist: what the collection/environment define, else an empty var.
  const vars: Record<string, unknown> = {};
  const secretValues: Record<string, unknown> = {};
  for (const [k, v] of values) {
    if (secrets.has(k))
      secretValues[rename(k)] = `{{env.${rename(k)
        .replace(/([a-z])([A-Z])/g, '$1_$2')
        .toUpperCase()}}}`;
    else vars[rename(k)] = typeof v.value === 'string' ? template(v.value) : v.value;
  }
  const allUsed = new Set(groups.flatMap((g) => [...g.used]));
  for (const name of allUsed)
    if (
      !(name in vars) &&
      !(name in secretValues) &&
      !capturedBefore.has(name) &&
      !BUILTIN.has(name.split('.')[0])
    ) {
      vars[name] = '';
      notes.push(
        `{{${name}}} is used but defined nowhere in the collection or environment: set it in environments/${envName}.yaml`,
      );
    }
  const env: Record<string, unknown> = { name: envName };
  if (Object.keys(vars).length) env.vars = vars;
  if (Object.keys(secretValues).length) env.secrets = secretValues;
  files.push({
    file: `environments/${envName}.yaml`,
    kind: 'environment',
    data: env,
    header: `Variables of ${source}${o.env ? ` and ${o.env}` : ''}; secrets come from the process environment.`,
  });
  const left = assertions - translated;
  return {
    files,
    notes,
    summary: `translated ${translated} of ${assertions} assertion${assertions === 1 ? '' : 's'}; ${left} left as TODO comment${left === 1 ? '' : 's'}${scriptsLeft ? `; ${scriptsLeft} pre-request script${scriptsLeft === 1 ? '' : 's'} left as TODO comments` : ''}`,
  };
}

const BUILTIN = new Set([
  'secrets',
  'env',
  'runId',
  'baseUrl',
  'uuid',
  'timestamp',
  'now',
  'randomInt',
  'randomEmail',
  'base64',
  'concat',
]);

/** Template names a step refers to (`{{token}}`, `{{secrets.apiKey}}` counts as secrets). */
function namesUsed(value: unknown): string[] {
  const out: string[] = [];
  const visit = (v: unknown) => {
    if (typeof v === 'string') {
      // `{{name}}`, `{{secrets.name}}`, and names inside a helper call (`concat user ":" pass`).
      for (const m of v.matchAll(/\{\{([^{}]*)\}\}/g))
        for (const word of m[1].matchAll(/(?:^|\s|\()(?:secrets\.)?([A-Za-z_]\w*)/g)) out.push(word[1]);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit((value as { http?: unknown }).http);
  return out;
}

async function readJson(file: string, cwd: string): Promise<any> {
  let text: string;
  try {
    text = await readFile(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not JSON: ${(error as Error).message}`);
  }
}
