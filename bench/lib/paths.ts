import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
export const ROOT_DIR = join(BENCH_DIR, '..');
export const WORK_DIR = join(BENCH_DIR, 'work');
export const BENCH_MODULES = join(BENCH_DIR, 'node_modules');
export const REPORTS_DIR = join(ROOT_DIR, 'reports');
export const FLOWRUN_BIN = join(ROOT_DIR, 'bin', 'flowrun');

/** Version of a package installed in bench/node_modules, or null. */
export function benchPackageVersion(name: string): string | null {
  const file = join(BENCH_MODULES, name, 'package.json');
  if (!existsSync(file)) return null;
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Absolute path of a package's bin script in bench/node_modules, or null. */
export function benchPackageBin(name: string, bin: string): string | null {
  const file = join(BENCH_MODULES, name, 'package.json');
  if (!existsSync(file)) return null;
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { bin?: string | Record<string, string> };
  const rel = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.[bin];
  return rel ? join(BENCH_MODULES, name, rel) : null;
}
