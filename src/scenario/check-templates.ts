import { LoadError, type FlowrunError } from '../errors.js';
import { templateRoots, TemplateError } from '../template/render.js';
import { suggest } from './validate.js';
import type { YamlSource } from './yaml-source.js';

/** Names templates may use at a point of a scenario; a child adds names without changing its parent. */
export class KnownNames {
  private readonly names: Set<string>;
  private readonly parent?: KnownNames;
  constructor(names: Iterable<string>, parent?: KnownNames) {
    this.names = new Set(names);
    this.parent = parent;
  }
  has(name: string): boolean {
    return this.names.has(name) || (this.parent?.has(name) ?? false);
  }
  add(name: string): void {
    this.names.add(name);
  }
  child(names: Iterable<string>): KnownNames {
    return new KnownNames(names, this);
  }
  all(): string[] {
    return [...new Set([...(this.parent?.all() ?? []), ...this.names])];
  }
}

/** Names every template sees (the environment's vars and --var are added per run). */
export const BUILTIN_NAMES = [
  'runId',
  'baseUrl',
  'env',
  'secrets',
  'services',
  'mocks',
  'scenario',
  // The previous HTTP exchange's status, headers and body (set once an HTTP step ran).
  'last',
];

/** Checks every template string inside the given values; unknown names are located errors. */
export function checkTemplates(
  values: [unknown, (string | number)[]][],
  source: YamlSource,
  known: KnownNames,
  errors: FlowrunError[],
  extra: string[] = [],
): void {
  const walk = (value: unknown, at: (string | number)[]) => {
    if (typeof value === 'string') {
      if (!value.includes('{{')) return;
      let roots: string[];
      try {
        roots = templateRoots(value);
      } catch (error) {
        errors.push(
          new LoadError((error as TemplateError).message, {
            code: 'E_TEMPLATE',
            location: source.locate(at),
          }),
        );
        return;
      }
      for (const root of roots) {
        if (known.has(root) || extra.includes(root)) continue;
        const guess = suggest(root, [...known.all(), ...extra]);
        errors.push(
          new LoadError(`unknown variable "${root}" in "${value}"`, {
            code: 'E_TEMPLATE',
            location: source.locate(at),
            hint: guess
              ? `did you mean "${guess}"?`
              : 'define it under vars:, capture it in an earlier step, or pass --var',
          }),
        );
      }
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...at, i]));
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) walk(v, [...at, k]);
  };
  for (const [value, at] of values) walk(value, at);
}
