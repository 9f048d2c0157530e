import type { ErrorObject } from 'ajv';
import { distance } from 'fastest-levenshtein';
import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { LoadError, LoadErrors } from '../errors.js';
import { validator } from '../scenario/validate.js';
import { documentToJS, readSmallFile } from '../scenario/yaml-source.js';
import type { Location } from '../types.js';

/** One integration point of the matrix file. */
export interface MatrixPoint {
  /** The normalised name (`orders → payments`, `stripe`): what `covers:` entries match. */
  name: string;
  group: string;
  subgroup?: string;
  location: Location;
}

/** A group of the matrix file, with its subgroups in file order (none for a plain list). */
export interface MatrixGroupSpec {
  name: string;
  subgroups: string[];
  location: Location;
}

/** A loaded, validated `integration-matrix.yaml`. Plain JSON. */
export interface MatrixFile {
  file: string;
  groups: MatrixGroupSpec[];
  /** Every point, in file order. */
  points: MatrixPoint[];
}

const ARROW = /\s*(?:->|→)\s*/g;

/** `a->b`, `a  →  b` and `a → b` are the same point: one arrow form, single spaces, trimmed. */
export function normalizePoint(s: string): string {
  return s.replace(ARROW, ' → ').replace(/\s+/g, ' ').trim();
}

/**
 * The closest known name to an unknown `covers` entry, for a "did you mean" hint; undefined
 * when nothing is close enough to be a plausible typo.
 */
export function suggestPoint(name: string, points: readonly string[]): string | undefined {
  const wanted = normalizePoint(name).toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const point of points) {
    const d = distance(wanted, normalizePoint(point).toLowerCase());
    if (d < bestDistance) {
      best = point;
      bestDistance = d;
    }
  }
  // A third of the name's length (at least 2 edits) separates typos from different names.
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(wanted.length / 3)) ? best : undefined;
}

/**
 * What a `covers:` entry means, by name: a point covers itself; a group or subgroup name
 * (`payment_gateways`, `external_services`, or the dotted `external_services.payment_gateways`)
 * covers every point in it. Points win over groups of the same name.
 */
export function coverIndex(matrix: MatrixFile): Map<string, string[]> {
  const index = new Map<string, string[]>();
  const add = (key: string, names: string[]): void => {
    index.set(key, [...new Set([...(index.get(key) ?? []), ...names])]);
  };
  for (const group of matrix.groups) {
    const inGroup = matrix.points.filter((p) => p.group === group.name);
    add(
      group.name,
      inGroup.map((p) => p.name),
    );
    for (const sub of group.subgroups) {
      const inSub = inGroup.filter((p) => p.subgroup === sub).map((p) => p.name);
      add(sub, inSub);
      add(`${group.name}.${sub}`, inSub);
    }
  }
  for (const point of matrix.points) index.set(point.name, [point.name]);
  return index;
}

/** The points a `covers:` entry names, or undefined when it names nothing in the matrix. */
export function resolveCover(
  entry: string,
  matrix: MatrixFile,
  index = coverIndex(matrix),
): string[] | undefined {
  return index.get(normalizePoint(entry));
}

/** Every name a `covers:` entry may use (points, groups, subgroups): the candidates for suggestions. */
export function coverNames(matrix: MatrixFile): string[] {
  return [...coverIndex(matrix).keys()];
}

/** Reads, parses and validates a matrix file; every problem is a located LoadError. */
export async function loadMatrix(file: string, displayName = file): Promise<MatrixFile> {
  let text: string;
  try {
    text = readSmallFile(file, displayName);
  } catch (error) {
    if ((error as LoadError).code !== 'E_READ') throw error;
    const reason = (error as Error).message.replace(/^cannot read .*: /, '');
    throw new LoadError(
      reason === 'ENOENT'
        ? `integration matrix ${displayName} not found`
        : `cannot read the integration matrix ${displayName}: ${reason}`,
      {
        code: 'E_READ',
        hint: reason === 'ENOENT' ? 'check --matrix or matrix: in flowrun.config.yaml' : undefined,
      },
    );
  }
  return parseMatrix(text, displayName);
}

/** Parses matrix YAML text (`file` names it in locations). */
export function parseMatrix(text: string, file: string): MatrixFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
  const at = (offset: number): Location => {
    const p = lines.linePos(offset);
    return { file, line: p.line, col: p.col };
  };
  if (doc.errors.length > 0) {
    throw collect(
      doc.errors.map(
        (e) =>
          new LoadError(`YAML syntax error: ${e.message.split('\n')[0]}`, {
            code: 'E_YAML',
            location: at(e.pos[0]),
          }),
      ),
    );
  }
  const data = documentToJS(doc, file, at);
  // Precompiled at build time with the other schemas (ajv is not loaded for it).
  const validate = validator('matrix');
  if (!validate(data)) {
    throw collect(schemaErrors(validate.errors ?? [], doc, at));
  }
  return build(data as { integration_points: Record<string, unknown> }, doc, at, file);
}

function build(
  data: { integration_points: Record<string, unknown> },
  doc: Document.Parsed,
  at: (offset: number) => Location,
  file: string,
): MatrixFile {
  const locate = (path: (string | number)[]): Location => at(nodeAt(doc, path)?.range?.[0] ?? 0);
  const groups: MatrixGroupSpec[] = [];
  const points: MatrixPoint[] = [];
  const errors: LoadError[] = [];
  const seen = new Map<string, MatrixPoint>();
  const addPoint = (raw: string, path: (string | number)[], group: string, subgroup?: string): void => {
    const point: MatrixPoint = { name: normalizePoint(raw), group, location: locate(path) };
    if (subgroup !== undefined) point.subgroup = subgroup;
    const first = seen.get(point.name);
    if (first) {
      const where = `${first.group}${first.subgroup ? `.${first.subgroup}` : ''}`;
      errors.push(
        new LoadError(`integration point "${point.name}" is listed twice (first in ${where})`, {
          code: 'E_MATRIX_DUPLICATE',
          location: point.location,
          hint: `first listed at ${first.location.file}:${first.location.line}:${first.location.col}`,
        }),
      );
      return;
    }
    seen.set(point.name, point);
    points.push(point);
  };
  for (const [group, value] of Object.entries(data.integration_points)) {
    const spec: MatrixGroupSpec = {
      name: group,
      subgroups: [],
      location: locate(['integration_points', group]),
    };
    groups.push(spec);
    if (Array.isArray(value)) {
      value.forEach((raw, i) => addPoint(String(raw), ['integration_points', group, i], group));
      continue;
    }
    for (const [sub, list] of Object.entries(value as Record<string, string[]>)) {
      spec.subgroups.push(sub);
      list.forEach((raw, i) => addPoint(String(raw), ['integration_points', group, sub, i], group, sub));
    }
  }
  if (errors.length > 0) throw collect(errors);
  return { file, groups, points };
}

function nodeAt(doc: Document.Parsed, path: (string | number)[]): Node | undefined {
  let node = doc.getIn(path, true) as Node | undefined;
  // Fall back to the closest existing ancestor (e.g. a missing required key).
  for (let n = path.length - 1; (!node || !node.range) && n >= 0; n--) {
    node = (n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)) as Node | undefined;
  }
  return node ?? undefined;
}

/**
 * ajv reports both `oneOf` branches of a group; per group, only the deepest errors say what
 * is actually wrong, and a group that is neither a list nor a map gets one plain message.
 */
function schemaErrors(
  errors: ErrorObject[],
  doc: Document.Parsed,
  at: (offset: number) => Location,
): LoadError[] {
  const parse = (p: string): string[] =>
    p === ''
      ? []
      : p
          .slice(1)
          .split('/')
          .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const byGroup = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const key = parse(e.instancePath).slice(0, 2).join('/');
    byGroup.set(key, [...(byGroup.get(key) ?? []), e]);
  }
  const out: LoadError[] = [];
  for (const list of byGroup.values()) {
    const depth = Math.max(...list.map((e) => parse(e.instancePath).length));
    let deepest = list.filter((e) => parse(e.instancePath).length === depth && e.keyword !== 'oneOf');
    // An empty map fails both branches; "is empty" is the useful half.
    if (deepest.some((e) => e.keyword === 'minProperties'))
      deepest = deepest.filter((e) => e.keyword === 'minProperties');
    const shown = new Set<string>();
    for (const e of deepest.length ? deepest : list) {
      const path = parse(e.instancePath);
      const message = describe(e, path);
      if (shown.has(message)) continue;
      shown.add(message);
      const offset =
        e.keyword === 'additionalProperties'
          ? keyOffset(doc, path, additional(e))
          : nodeAt(doc, path)?.range?.[0];
      out.push(new LoadError(message, { code: 'E_SCHEMA', location: at(offset ?? 0) }));
    }
  }
  return out;
}

/** Where an unknown key is written (the key, not its value). */
function keyOffset(doc: Document.Parsed, path: string[], key: string): number | undefined {
  const parent = nodeAt(doc, path);
  if (!isMap(parent)) return parent?.range?.[0];
  const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
  return (pair?.key as Node | undefined)?.range?.[0] ?? parent.range?.[0];
}

const additional = (e: ErrorObject): string =>
  String((e.params as { additionalProperty?: string }).additionalProperty);

function describe(e: ErrorObject, path: string[]): string {
  const where = path.length
    ? path.map((seg, i) => (/^\d+$/.test(seg) ? `[${seg}]` : i === 0 ? seg : `.${seg}`)).join('')
    : 'the matrix file';
  if (path.length === 2 && (e.keyword === 'type' || e.keyword === 'oneOf')) {
    return `${where} must be a list of points, or a map of subgroups that are lists of points`;
  }
  switch (e.keyword) {
    case 'required':
      return `${where} needs "${(e.params as { missingProperty: string }).missingProperty}:" (the groups of integration points)`;
    case 'additionalProperties':
      return `unknown key "${additional(e)}" in ${where}: only integration_points is allowed`;
    case 'type': {
      const type = (e.params as { type: string }).type;
      if (type === 'string') return `${where} must be a point name (text), e.g. "orders → payments"`;
      return `${where} must be ${type === 'array' ? 'a list of points' : `of type ${type}`}`;
    }
    case 'minProperties':
      return `${where} is empty`;
    case 'propertyNames':
      return `group and subgroup names cannot contain ".", in ${where}`;
    case 'minLength':
    case 'pattern':
      return `${where} is an empty point name`;
    default:
      return `${where} ${e.message ?? 'is invalid'}`;
  }
}

function collect(errors: LoadError[]): LoadError | LoadErrors {
  return errors.length === 1 ? errors[0] : new LoadErrors(errors);
}
