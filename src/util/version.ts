import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** flowrun's version from package.json (this file and the bundle's chunks both sit two levels deep). */
export const version = (): string =>
  (cached ??= (
    JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version);
