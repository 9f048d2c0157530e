import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { httpServer, project, runCli } from '../helpers/cli.js';

const SCAFFOLD = [
  'flowrun.config.yaml',
  'environments/local.yaml',
  'scenarios/flows/health.yaml',
  'scenarios/example.yaml',
  'integration-matrix.yaml',
  '.github/workflows/flowrun.yml',
];
const SCHEMAS: Record<string, string> = {
  'flowrun.config.yaml': 'config',
  'environments/local.yaml': 'environment',
  'scenarios/flows/health.yaml': 'flow',
  'scenarios/example.yaml': 'scenario',
  'integration-matrix.yaml': 'matrix',
};

describe('flowrun init', () => {
  it('scaffolds a project that validates as written, with schema lines into node_modules/flowrun', async () => {
    const p = await project({});
    try {
      const r = await runCli(['init'], { cwd: p.dir });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      for (const file of [...SCAFFOLD, '.gitignore'])
        assert.match(r.stdout, new RegExp(`created +${file.replace('.', '\\.')}`));
      assert.match(r.stdout, /baseUrl http:\/\/localhost:3000/);
      assert.equal(readFileSync(path.join(p.dir, '.gitignore'), 'utf8'), 'reports/\n');
      for (const [file, schema] of Object.entries(SCHEMAS)) {
        const first = readFileSync(path.join(p.dir, file), 'utf8').split('\n')[0]!;
        const target = /^# yaml-language-server: \$schema=(\S+)$/.exec(first)?.[1];
        assert.ok(target, `${file}: ${first}`);
        assert.equal(
          path.resolve(p.dir, path.dirname(file), target),
          path.join(p.dir, 'node_modules', 'flowrun', 'schemas', `${schema}.schema.json`),
          file,
        );
      }
      const workflow = readFileSync(path.join(p.dir, '.github/workflows/flowrun.yml'), 'utf8');
      assert.match(workflow, /npx flowrun --env local -r console,junit,html/);
      assert.match(workflow, /actions\/upload-artifact@v4[\s\S]*path: reports\//);

      const v = await runCli(['validate'], { cwd: p.dir });
      assert.equal(v.code, 0, v.stdout + v.stderr);
      assert.match(v.stdout, /1 file valid, 1 scenario/);
      const listed = await runCli(['list'], { cwd: p.dir });
      assert.match(listed.stdout, /scenarios\/example\.yaml {2}The service answers {2}\[smoke\]/);
    } finally {
      await p.cleanup();
    }
  });

  it('refuses to overwrite (nothing written, exit 2) unless --force; keeps an existing .gitignore', async () => {
    const p = await project({
      'scenarios/example.yaml': 'name: mine\nsteps: []\n',
      '.gitignore': 'node_modules/',
    });
    try {
      const r = await runCli(['init'], { cwd: p.dir });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(
        r.stderr,
        /error: flowrun init would overwrite scenarios\/example\.yaml\n {2}hint: nothing was written; run flowrun init --force to replace them/,
      );
      assert.equal(
        readFileSync(path.join(p.dir, 'scenarios/example.yaml'), 'utf8'),
        'name: mine\nsteps: []\n',
      );
      assert.throws(() => readFileSync(path.join(p.dir, 'flowrun.config.yaml')), /ENOENT/);

      const forced = await runCli(['init', '--force', '--base-url', 'https://shop.test:8443/'], {
        cwd: p.dir,
      });
      assert.equal(forced.code, 0, forced.stdout + forced.stderr);
      assert.match(forced.stdout, /replaced scenarios\/example\.yaml/);
      assert.match(forced.stdout, /updated {2}\.gitignore \(reports\/\)/);
      assert.equal(readFileSync(path.join(p.dir, '.gitignore'), 'utf8'), 'node_modules/\nreports/\n');
      assert.match(
        readFileSync(path.join(p.dir, 'environments/local.yaml'), 'utf8'),
        /^baseUrl: "https:\/\/shop\.test:8443"/m,
      );
      assert.match(
        readFileSync(path.join(p.dir, 'scenarios/example.yaml'), 'utf8'),
        /name: The service answers/,
      );

      const bad = await runCli(['init', '--force', '--base-url', 'shop.test'], { cwd: p.dir });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--base-url must be an http:\/\/ or https:\/\/ URL, got "shop\.test"/);
    } finally {
      await p.cleanup();
    }
  });

  it('runs against a service right away and lists the report files it wrote', async () => {
    const server = await httpServer((req, res) => {
      res.writeHead(req.url === '/health' || req.url === '/' ? 200 : 404).end('ok');
    });
    const p = await project({});
    try {
      assert.equal((await runCli(['init', '--base-url', server.url], { cwd: p.dir })).code, 0);
      const r = await runCli([], { cwd: p.dir });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /✓ The service answers/);
      // Not a TTY: plain relative paths, the HTML report last.
      assert.match(
        r.stdout,
        /Reports: {6}reports\/flowrun\.json\n {14}reports\/junit\.xml\n {14}reports\/flowrun\.html\n/,
      );
      assert.deepEqual(
        server.requests.map((q) => `${q.method} ${q.url}`),
        ['GET /health', 'GET /'],
      );
      // An old file in the folder is not this run's report.
      writeFileSync(path.join(p.dir, 'reports', 'old.txt'), 'x');
      const { utimesSync } = await import('node:fs');
      utimesSync(path.join(p.dir, 'reports', 'old.txt'), new Date(2020, 0, 1), new Date(2020, 0, 1));
      const again = await runCli(['-r', 'console,json'], { cwd: p.dir });
      assert.match(again.stdout, /Reports: {6}reports\/flowrun\.json\n/);
      assert.doesNotMatch(again.stdout, /old\.txt|junit\.xml/);
    } finally {
      await p.cleanup();
      await server.close();
    }
  });
});
