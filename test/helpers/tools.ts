/**
 * The system tools some tests need besides Node.js and npm, how to find them and how to install
 * them. A test that needs an absent tool is skipped with one line saying what is missing and how
 * to install it; with FLOWRUN_TEST_STRICT=1 (CI) a missing tool is an error instead, so nothing
 * is skipped there. scripts/run-tests.mjs prints one line per missing tool before the tests run.
 */
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  symlinkSync,
  statSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';

export type ToolName = 'redis-server' | 'java' | 'chromium' | 'xmllint';

interface ToolInfo {
  /** What needs it, for the skip line. */
  neededBy: string;
  install: string;
  find(env: NodeJS.ProcessEnv): string | undefined;
}

const executable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

/** The first of `names` found on PATH. */
export function onPath(names: string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of names) if (executable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

/** playwright-core's own download folder (`npx playwright-core install chromium`). */
function playwrightChromium(env: NodeJS.ProcessEnv): string | undefined {
  const base =
    env.PLAYWRIGHT_BROWSERS_PATH && env.PLAYWRIGHT_BROWSERS_PATH !== '0'
      ? env.PLAYWRIGHT_BROWSERS_PATH
      : process.platform === 'darwin'
        ? path.join(homedir(), 'Library/Caches/ms-playwright')
        : process.platform === 'win32'
          ? path.join(env.LOCALAPPDATA ?? homedir(), 'ms-playwright')
          : path.join(env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'ms-playwright');
  if (!existsSync(base)) return undefined;
  const builds = readdirSync(base)
    .filter((d) => /^chromium(_headless_shell)?-\d+$/.test(d))
    .sort((a, b) => Number(b.split('-').pop()) - Number(a.split('-').pop()));
  const inside = [
    'chrome-linux/chrome',
    'chrome-linux64/chrome',
    'chrome-headless-shell-linux64/chrome-headless-shell',
    'chrome-linux/headless_shell',
    'chrome-mac/Chromium.app/Contents/MacOS/Chromium',
    'chrome-mac-arm64/Chromium.app/Contents/MacOS/Chromium',
    'chrome-win/chrome.exe',
    'chrome-win64/chrome.exe',
  ];
  for (const build of builds) {
    for (const rel of inside) if (executable(path.join(base, build, rel))) return path.join(base, build, rel);
  }
  return undefined;
}

const MAC_BROWSERS = [
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

export const TOOLS: Record<ToolName, ToolInfo> = {
  'redis-server': {
    neededBy: 'the Redis step, service and demo tests',
    install: 'apt-get install redis-server / brew install redis',
    find: (env) => onPath(['redis-server'], env),
  },
  java: {
    neededBy: 'the tests against the real WireMock and MockServer jars',
    install: 'a Java 17+ runtime: apt-get install openjdk-17-jre-headless / brew install openjdk@17',
    find: (env) =>
      onPath(['java'], env) ??
      (env.JAVA_HOME && executable(path.join(env.JAVA_HOME, 'bin', 'java'))
        ? path.join(env.JAVA_HOME, 'bin', 'java')
        : undefined),
  },
  chromium: {
    neededBy: 'the HTML report tests in a real browser',
    install:
      'apt-get install chromium, or npx playwright-core install chromium, or point CHROME_PATH at a Chrome/Chromium',
    find: (env) => {
      for (const variable of ['CHROME_PATH', 'FLOWRUN_CHROMIUM']) {
        const file = env[variable];
        if (file && executable(file)) return file;
      }
      return (
        playwrightChromium(env) ??
        onPath(['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'], env) ??
        (process.platform === 'darwin' ? MAC_BROWSERS.find(executable) : undefined)
      );
    },
  },
  xmllint: {
    neededBy: 'the JUnit report tests (schema check with libxml2)',
    install: 'apt-get install libxml2-utils / brew install libxml2',
    find: (env) => onPath(['xmllint'], env),
  },
};

export const strict = (env: NodeJS.ProcessEnv = process.env): boolean =>
  env.FLOWRUN_TEST_STRICT !== undefined && !['', '0', 'false'].includes(env.FLOWRUN_TEST_STRICT);

/** The line printed for a missing tool. */
export const missingLine = (tool: ToolName): string =>
  `${tool} not found: skipping ${TOOLS[tool].neededBy} (install: ${TOOLS[tool].install})`;

/** Where the tool is, or undefined. */
export const findTool = (tool: ToolName, env: NodeJS.ProcessEnv = process.env): string | undefined =>
  TOOLS[tool].find(env);

/** The tools among `tools` (default: all) that are not installed. */
export const missingTools = (env: NodeJS.ProcessEnv = process.env): ToolName[] =>
  (Object.keys(TOOLS) as ToolName[]).filter((tool) => !findTool(tool, env));

/**
 * For node:test's `skip` option: false when the tool is there, else the reason to skip. Under
 * FLOWRUN_TEST_STRICT=1 a missing tool throws instead, failing the test file with the same line.
 */
export function skipWithout(...tools: ToolName[]): string | false {
  const missing = tools.filter((tool) => !findTool(tool));
  if (!missing.length) return false;
  const lines = missing.map(missingLine);
  if (strict()) throw new Error(`FLOWRUN_TEST_STRICT is set and a tool is missing: ${lines.join('; ')}`);
  return lines.join('; ');
}

/**
 * A PATH for child processes on which `tools` cannot be found: a folder of links to every other
 * program of the current PATH. Used to test that a machine without them skips instead of failing.
 */
export function pathWithout(tools: string[], env: NodeJS.ProcessEnv = process.env): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'flowrun-path-'));
  // Readable by the unprivileged account PostgreSQL runs as when the tests run as root.
  chmodSync(dir, 0o755);
  const seen = new Set<string>();
  const hidden = new Set(tools);
  for (const from of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    let names: string[];
    try {
      names = readdirSync(from);
    } catch {
      continue;
    }
    for (const name of names) {
      if (seen.has(name) || hidden.has(name)) continue;
      seen.add(name);
      try {
        symlinkSync(path.join(from, name), path.join(dir, name));
      } catch {
        // unreadable entry: leave it out
      }
    }
  }
  return dir;
}
