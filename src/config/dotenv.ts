import { existsSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'dotenv';
import { readSmallFile } from '../scenario/yaml-source.js';

/** Prefix of process-environment variables that become flowrun variables. */
export const VAR_PREFIX = 'FLOWRUN_VAR_';

/**
 * Loads `<dir>/.env` into `env`, never replacing a variable that is already set: what the shell
 * or the CI job exported wins over the file, so a checked-in `.env` cannot silently redirect a
 * pipeline. Returns the names it set.
 */
export function loadDotenv(
  dir: string,
  env: NodeJS.ProcessEnv = process.env,
): { file?: string; set: string[] } {
  const file = path.join(dir, '.env');
  if (!existsSync(file)) return { set: [] };
  const parsed = parse(readSmallFile(file, path.relative(dir, file)));
  const set: string[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (env[name] !== undefined) continue;
    env[name] = value;
    set.push(name);
  }
  return { file, set };
}

/**
 * `FLOWRUN_VAR_<name>=value` in the (process or .env) environment is the variable `<name>`,
 * the name kept as written (`FLOWRUN_VAR_adminEmail` is `{{adminEmail}}`). They rank below
 * --var and above the environment file's vars.
 */
export function varsFromEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(VAR_PREFIX) || name.length === VAR_PREFIX.length || value === undefined) continue;
    out[name.slice(VAR_PREFIX.length)] = value;
  }
  return out;
}
