import { existsSync, readFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../../errors.js';
import { writeReportFile } from '../../report/format/write.js';
import type { Screen } from '../../types.js';
import { DEFAULT_BASE_URL, GITIGNORE_LINE, initFiles } from './init-files.js';

export interface InitOptions {
  baseUrl?: string;
  force?: boolean;
}

/**
 * `flowrun init`: scaffolds a project in `cwd`. Nothing is written when any of the files exists,
 * unless `force` (then they are replaced); .gitignore is created or gets `reports/` appended.
 */
export async function initCommand(
  options: InitOptions,
  screen: Screen,
  cwd = process.cwd(),
): Promise<number> {
  const baseUrl = options.baseUrl === undefined ? DEFAULT_BASE_URL : String(options.baseUrl);
  let parsed: URL | undefined;
  try {
    parsed = new URL(baseUrl);
  } catch {
    // reported below
  }
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) {
    throw new UsageError(
      `--base-url must be an http:// or https:// URL, got "${baseUrl}"`,
      'e.g. flowrun init --base-url http://localhost:8080',
    );
  }
  const files = initFiles(baseUrl.replace(/\/+$/, ''));
  const existing = files.filter((f) => existsSync(path.join(cwd, f.path))).map((f) => f.path);
  if (existing.length && !options.force) {
    throw new UsageError(
      `flowrun init would overwrite ${existing.join(', ')}`,
      'nothing was written; run flowrun init --force to replace them',
    );
  }
  for (const f of files) await writeReportFile(path.join(cwd, f.path), f.content);
  const written = files.map((f) => `${existing.includes(f.path) ? 'replaced' : 'created '} ${f.path}`);

  const gitignore = path.join(cwd, '.gitignore');
  const current = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : undefined;
  const ignored = current
    ?.split(/\r?\n/)
    .some((line) => ['reports', 'reports/', '/reports', '/reports/'].includes(line.trim()));
  if (current === undefined) {
    await writeReportFile(gitignore, `${GITIGNORE_LINE}\n`);
    written.push(`created  .gitignore`);
  } else if (!ignored) {
    await appendFile(gitignore, `${current.endsWith('\n') || current === '' ? '' : '\n'}${GITIGNORE_LINE}\n`);
    written.push(`updated  .gitignore (${GITIGNORE_LINE})`);
  }

  screen.out(`flowrun project in ${cwd} (baseUrl ${baseUrl}):`);
  for (const line of written) screen.out(`  ${line}`);
  screen.out('');
  screen.out('Next:');
  screen.out('  npx flowrun validate          check every file, run nothing');
  screen.out('  npx flowrun                   run scenarios/ against environments/local.yaml');
  screen.out('  docs: node_modules/flowrun/docs/getting-started.md');
  return 0;
}
