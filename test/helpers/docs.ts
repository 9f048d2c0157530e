/**
 * Reads the documentation (README.md and docs/*.md): its fenced YAML examples, each with the
 * kind of file it shows, and the schema keys of schemas/*.json. Used by the docs tests, which
 * keep the examples valid and every schema key documented.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from './cli.js';

export type ExampleKind =
  | 'scenario'
  | 'flow'
  | 'environment'
  | 'config'
  | 'matrix'
  | 'mock-file'
  | 'steps'
  | 'step'
  | 'step-part'
  | 'ci'
  | 'fragment';

export interface DocExample {
  /** docs/x.md:LINE of the opening fence. */
  where: string;
  text: string;
  /** From a `<!-- example: KIND -->` comment before the fence, else guessed from the content. */
  kind: ExampleKind | undefined;
  /** `<!-- example: ... pending FEATURE -->`: the example uses a feature that has not landed yet. */
  pending?: string;
}

export const docFiles = (): string[] => [
  'README.md',
  ...readdirSync(path.join(repoRoot, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];

export const readDoc = (file: string): string => readFileSync(path.join(repoRoot, file), 'utf8');

const KINDS = new Set<string>([
  'step-part',
  'scenario',
  'flow',
  'environment',
  'config',
  'matrix',
  'mock-file',
  'steps',
  'step',
  'ci',
  'fragment',
]);

/** Every ```yaml block of the documentation. */
export function docExamples(): DocExample[] {
  const examples: DocExample[] = [];
  for (const file of docFiles()) {
    const lines = readDoc(file).split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!/^\s*```ya?ml\s*$/.test(lines[i]!)) continue;
      const indent = lines[i]!.match(/^\s*/)![0].length;
      const start = i;
      const body: string[] = [];
      for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]!); i++) body.push(lines[i]!.slice(indent));
      let marker: string | undefined;
      for (let j = start - 1; j >= 0 && j >= start - 3; j--) {
        const m = lines[j]!.match(/<!--\s*example:\s*(.*?)\s*-->/);
        if (m) {
          marker = m[1];
          break;
        }
        if (lines[j]!.trim() !== '') break;
      }
      const text = body.join('\n') + '\n';
      const [declared, pendingWord, ...feature] = (marker ?? '').split(/\s+/);
      if (declared && !KINDS.has(declared))
        throw new Error(
          `${file}:${start + 1}: unknown example kind "${declared}" in <!-- example: ${marker} -->`,
        );
      examples.push({
        where: `${file}:${start + 1}`,
        text,
        kind: (declared as ExampleKind) || guessKind(text),
        ...(pendingWord === 'pending' ? { pending: feature.join(' ') || 'a feature not landed yet' } : {}),
      });
    }
  }
  return examples;
}

const ENVIRONMENT_ONLY = [
  'baseUrl',
  'databases',
  'redis',
  'services',
  'waitFor',
  'protected',
  'secrets',
  'http',
];
/** Keys of a step besides its kind: an example of them is completed with an http step. */
const STEP_PARTS = ['expect', 'capture', 'poll', 'timeout', 'skip', 'name', 'contract', 'retries'];
const SCENARIO_ONLY = [
  'vars',
  'onFailure',
  'description',
  'requires',
  'skip',
  'only',
  'environments',
  'writes',
  'tags',
  'covers',
  'parameters',
  'teardown',
  'mocks',
];
const CONFIG_ONLY = [
  'paths',
  'env',
  'reporters',
  'out',
  'concurrency',
  'retries',
  'runTimeout',
  'minSuccessRate',
  'matrix',
];

/** What kind of file a YAML example shows, from a path comment, its $schema line or its keys. */
export function guessKind(text: string): ExampleKind | undefined {
  const schema = text.match(/\$schema=\S*?([a-z-]+)\.schema\.json/);
  if (schema) return schema[1] as ExampleKind;
  const first = text.match(/^#\s*(\S+)/)?.[1] ?? '';
  if (/(^|\/)flows?\//.test(first) || first.endsWith('.flow.yaml')) return 'flow';
  if (first.startsWith('environments/')) return 'environment';
  if (first.startsWith('mocks/')) return 'mock-file';
  if (first.startsWith('scenarios/')) return 'scenario';
  let data: unknown;
  try {
    data = parse(text);
  } catch {
    return undefined;
  }
  if (Array.isArray(data)) {
    const items = data as Record<string, unknown>[];
    if (items.some((s) => s && typeof s === 'object' && ('uses' in s || 'run' in s))) return 'ci';
    return 'steps';
  }
  if (!data || typeof data !== 'object') return undefined;
  const keys = Object.keys(data);
  if (keys.some((k) => k === 'jobs' || k === 'on' || k === 'stages')) return 'ci';
  if (Object.values(data).some((v) => v && typeof v === 'object' && ('script' in v || 'stage' in v)))
    return 'ci';
  if (keys.includes('integration_points')) return 'matrix';
  if (keys.includes('steps') && keys.includes('inputs')) return 'flow';
  if (keys.includes('steps') || (keys.includes('setup') && !keys.includes('baseUrl'))) return 'scenario';
  const mocks = (data as Record<string, unknown>).mocks;
  if (keys.some((k) => ENVIRONMENT_ONLY.includes(k)) || (mocks && !Array.isArray(mocks)))
    return 'environment';
  if (keys.some((k) => CONFIG_ONLY.includes(k))) return 'config';
  if (keys.some((k) => SCENARIO_ONLY.includes(k))) return 'scenario';
  if (keys.some((k) => ['http', 'sql', 'redis', 'verify', 'include', 'graphql', 'wait'].includes(k)))
    return 'step';
  if (keys.every((k) => STEP_PARTS.includes(k))) return 'step-part';
  return undefined;
}

/** Every property name declared in schemas/*.json, with where it is declared. */
export function schemaKeys(): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  const walk = (node: unknown, file: string, pointer: string): void => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, file, `${pointer}/${i}`));
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if (k === 'properties' && v && typeof v === 'object' && !Array.isArray(v)) {
        for (const name of Object.keys(v)) {
          if (!keys.has(name)) keys.set(name, []);
          keys.get(name)!.push(`schemas/${file}#${pointer}/properties/${name}`);
        }
      }
      walk(v, file, `${pointer}/${k}`);
    }
  };
  const dir = path.join(repoRoot, 'schemas');
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    walk(JSON.parse(readFileSync(path.join(dir, file), 'utf8')), file, '');
  }
  return keys;
}
