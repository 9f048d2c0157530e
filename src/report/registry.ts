import { pathToFileURL } from 'node:url';
import path from 'node:path';
import type { Reporter, ReporterFactory, ReporterOptions } from '../types.js';
import { UsageError } from '../errors.js';

/**
 * Built-in reporters, loaded only when asked for. Each folder's index.ts exports
 * `createReporter: ReporterFactory`.
 */
const builtins: Record<string, () => Promise<{ createReporter: ReporterFactory }>> = {
  console: () => import('./console/index.js'),
  json: () => import('./json/index.js'),
  ndjson: () => import('./ndjson/index.js'),
  junit: () => import('./junit/index.js'),
  html: () => import('./html/index.js'),
  markdown: () => import('./markdown/index.js'),
  matrix: () => import('./matrix/index.js'),
  github: () => import('./github/index.js'),
};

export const builtinReporterNames = (): string[] => Object.keys(builtins);

/** Resolves `-r` names: built-ins, a path (`./my-reporter.js`) or a package name. */
export async function loadReporters(names: string[], options: ReporterOptions): Promise<Reporter[]> {
  const reporters: Reporter[] = [];
  for (const name of names) {
    const builtin = builtins[name];
    let mod: { createReporter?: ReporterFactory; default?: unknown };
    if (builtin) {
      mod = await builtin();
    } else {
      const isPath = name.startsWith('.') || name.startsWith('/') || /\.[cm]?js$/.test(name);
      const target = isPath ? pathToFileURL(path.resolve(options.cwd, name)).href : name;
      try {
        mod = (await import(target)) as typeof mod;
      } catch (error) {
        throw new UsageError(
          `unknown reporter "${name}": not a built-in (${Object.keys(builtins).join(', ')}) and it could not be loaded: ${(error as Error).message}`,
        );
      }
    }
    reporters.push(await instantiate(name, mod, options));
  }
  return reporters;
}

async function instantiate(
  name: string,
  mod: { createReporter?: ReporterFactory; default?: unknown },
  options: ReporterOptions,
): Promise<Reporter> {
  const candidate = mod.createReporter ?? mod.default;
  if (typeof candidate === 'function') {
    // A factory function, or a class with a constructor taking the options.
    try {
      return (await (candidate as ReporterFactory)(options)) as Reporter;
    } catch (error) {
      if (error instanceof TypeError && /class constructor/i.test(error.message)) {
        return new (candidate as new (o: ReporterOptions) => Reporter)(options);
      }
      throw error;
    }
  }
  if (candidate && typeof candidate === 'object') return candidate as Reporter;
  throw new UsageError(`reporter "${name}" exports neither createReporter nor a default reporter`);
}
