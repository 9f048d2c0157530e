import { readFileSync } from 'node:fs';

/** flowrun's version, from package.json (read when asked: `--help` and runs need it, most imports do not). */
export const version = (): string =>
  (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
    .version;
