import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { freePort } from '../../src/services/ports.js';
import { project, startCli, until, waitCli } from '../helpers/cli.js';

const SERVER = `
const http = require('node:http');
const fs = require('node:fs');
fs.appendFileSync('started.log', process.pid + '\\n');
http.createServer((req, res) => res.writeHead(200).end('ok')).listen(Number(process.env.PORT), '127.0.0.1');
`;

const scenario = (name: string, include: boolean) =>
  `name: ${name}\nsteps:\n${include ? '  - include: ../flows/shared.yaml\n' : ''}  - http: { url: /${name.toLowerCase()} }\n`;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('flowrun --watch', () => {
  it('re-runs only the scenarios that include a changed flow, keeps the service up, stops it on Ctrl-C', async () => {
    const port = await freePort();
    const p = await project({
      'server.cjs': SERVER,
      'environments/local.yaml': [
        'name: local',
        `baseUrl: http://127.0.0.1:${port}`,
        'services:',
        '  app:',
        '    command: node server.cjs',
        `    env: { PORT: "${port}" }`,
        `    ready: { http: "http://127.0.0.1:${port}/health", timeout: 20s }`,
        '',
      ].join('\n'),
      'flows/shared.yaml': 'steps:\n  - name: shared step\n    http: { url: /shared }\n',
      'scenarios/one.yaml': scenario('One', true),
      'scenarios/two.yaml': scenario('Two', true),
      'scenarios/three.yaml': scenario('Three', false),
    });
    const child = startCli(['--watch', '--env', 'local', '-r', 'console'], { cwd: p.dir });
    const waits = () => child.out.stdout.split('watch: waiting for changes').length - 1;
    try {
      await until(() => waits() >= 1, 60_000, `the first run\n${child.out.stdout}\n${child.out.stderr}`);
      assert.match(child.out.stdout, /3 passed, 0 failed \(3 total\)/);

      writeFileSync(
        path.join(p.dir, 'flows/shared.yaml'),
        'steps:\n  - name: shared step, edited\n    http: { url: /shared }\n',
      );
      await until(() => waits() >= 2, 60_000, `the re-run\n${child.out.stdout}\n${child.out.stderr}`);
      const rerun = child.out.stdout.slice(child.out.stdout.indexOf('watch: flows/shared.yaml changed'));
      assert.match(rerun, /^watch: flows\/shared\.yaml changed: re-running 2 scenarios\n/);
      assert.match(rerun, /✓ One/);
      assert.match(rerun, /✓ Two/);
      assert.doesNotMatch(rerun, /Three/);
      assert.match(rerun, /2 passed, 0 failed \(2 total\)/);

      writeFileSync(path.join(p.dir, 'notes.txt'), 'not a flowrun file');
      writeFileSync(
        path.join(p.dir, 'scenarios/three.yaml'),
        scenario('Three', false).replace('/three', '/3'),
      );
      await until(() => waits() >= 3, 60_000, `the third run\n${child.out.stdout}`);
      const third = child.out.stdout.slice(child.out.stdout.indexOf('watch: scenarios/three.yaml changed'));
      assert.match(third, /^watch: scenarios\/three\.yaml changed: re-running 1 scenario\n/);
      assert.doesNotMatch(third, /One|Two/);

      const pids = readFileSync(path.join(p.dir, 'started.log'), 'utf8').trim().split('\n').map(Number);
      assert.equal(pids.length, 1, 'the service was started once and kept between runs');
      assert.ok(alive(pids[0]!));

      child.kill('SIGINT');
      const r = await waitCli(child, 30_000);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stderr, /watch: stopped; services and mock servers are down/);
      await until(() => !alive(pids[0]!), 5000, 'the service to be gone');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await p.cleanup();
    }
  });
});
