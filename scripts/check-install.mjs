#!/usr/bin/env node
// Checks that flowrun installs the way users install it: a fresh clone of the committed tree is
// packed (`prepare` builds dist/), the tarball is installed into a new empty project, and there
// `npx flowrun --version`, `npx flowrun init`, `npx flowrun validate` and a run against a small
// HTTP server all succeed. Prints the tarball's size and what each step took.
//
//   node scripts/check-install.mjs           the clone reuses this checkout's node_modules
//   node scripts/check-install.mjs --npm-ci  the clone runs its own `npm ci` (slower, fully fresh)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'flowrun-install-'));
const say = (text) => process.stderr.write(`[check-install] ${text}\n`);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const quiet = {
  NO_COLOR: '1',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
};

/** Runs a command with a deadline; returns stdout, throws with the output on failure. */
function run(cmd, args, cwd, timeoutMs = 300_000) {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, ...quiet },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
      if (code === 0) {
        say(`${[cmd, ...args].join(' ')}: ok (${took})`);
        resolve(out);
      } else reject(new Error(`${[cmd, ...args].join(' ')} exited ${code} after ${took}\n${out}\n${err}`));
    });
  });
}

const server = http.createServer((req, res) => {
  res
    .writeHead(req.url === '/health' || req.url === '/' ? 200 : 404, { 'content-type': 'text/plain' })
    .end('ok');
});
let code = 0;
try {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${server.address().port}`;

  const clone = join(work, 'clone');
  execFileSync('git', ['clone', '--quiet', '--no-hardlinks', root, clone]);
  if (existsSync(join(clone, 'dist')))
    throw new Error('the clone has a dist/ folder: it must be built by prepare');
  if (process.argv.includes('--npm-ci')) await run(npm, ['ci'], clone, 900_000);
  else symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'), 'dir');

  const packed = JSON.parse(await run(npm, ['pack', '--json', '--pack-destination', work], clone, 600_000));
  const { filename, size, unpackedSize, files } = packed[0];
  const paths = files.map((f) => f.path);
  for (const wanted of [
    'bin/flowrun',
    'dist/cli/main.js',
    'dist/cli-bundle/main.js',
    'schemas/scenario.schema.json',
    'README.md',
  ])
    if (!paths.includes(wanted)) throw new Error(`the tarball lacks ${wanted}`);
  const unwanted = paths.filter((p) =>
    /^(test|bench|examples|scenarios|environments|src|scripts|\.ci)\//.test(p),
  );
  if (unwanted.length)
    throw new Error(`the tarball holds files users do not need: ${unwanted.slice(0, 5).join(', ')}`);
  say(
    `${filename}: ${(size / 1024).toFixed(0)} KiB packed, ${(unpackedSize / 1024).toFixed(0)} KiB unpacked, ${files.length} files`,
  );

  const app = join(work, 'app');
  execFileSync('mkdir', [app]);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'flowrun-install-check', private: true }, null, 2),
  );
  await run(npm, ['install', '--save-dev', '--prefer-offline', join(work, filename)], app, 600_000);

  const version = (await run(npx, ['--no-install', 'flowrun', '--version'], app)).trim();
  const expected = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  if (version !== `flowrun/${expected}`) throw new Error(`flowrun --version printed "${version}"`);
  await run(npx, ['--no-install', 'flowrun', 'init', '--base-url', baseUrl], app);
  const validated = await run(npx, ['--no-install', 'flowrun', 'validate'], app);
  if (!/1 file valid, 1 scenario/.test(validated)) throw new Error(`validate printed: ${validated}`);
  const ran = await run(npx, ['--no-install', 'flowrun'], app);
  if (!/1 passed, 0 failed/.test(ran) || !statSync(join(app, 'reports', 'junit.xml')).isFile())
    throw new Error(`the run printed: ${ran}`);
  say('installed from the tarball: --version, init, validate and a run all passed');
} catch (error) {
  say(`FAILED: ${error.message}`);
  say(`kept for inspection: ${work}`);
  code = 1;
} finally {
  server.close();
}
if (code === 0) rmSync(work, { recursive: true, force: true });
process.exit(code);
