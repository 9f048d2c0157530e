import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { bin, httpServer, project } from '../helpers/cli.js';

/** Runs the CLI under `script`, so its stdout is a terminal (the live status line is on). */
function runInTerminal(args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm', NO_COLOR: '1', COLUMNS: '200' };
  delete env.CI;
  delete env.GITHUB_ACTIONS;
  const command = [process.execPath, bin, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit within 30s: ${out}`));
    }, 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('console on a terminal', () => {
  it('the live status line drops a scenario once it has finished', async () => {
    const server = await httpServer(async (req, res) => {
      await new Promise((r) => setTimeout(r, req.url === '/slow' ? 300 : 20));
      res.end('ok');
    });
    const p = await project({
      // A secret that happens to be part of a file name (and so of the scenario's id).
      'environments/local.yaml': `name: local\nbaseUrl: ${server.url}\nsecrets: { word: alpha }\n`,
      'scenarios/alpha.yaml': 'name: First\nsteps:\n  - http: { url: /fast }\n',
      'scenarios/beta.yaml': 'name: Second\nsteps:\n  - http: { url: /slow }\n',
    });
    try {
      const r = await runInTerminal(['scenarios', '--env', 'local'], p.dir);
      assert.equal(r.code, 0, r.out);
      // Every status line drawn after "First" ended must not list it as running.
      const afterFirst = r.out.slice(r.out.indexOf('✓ First'));
      assert.ok(afterFirst.length < r.out.length, r.out);
      const statusLines = afterFirst.split(/\r|\n/).filter((l) => /done · running:/.test(l));
      assert.ok(statusLines.length > 0, r.out);
      for (const line of statusLines) assert.doesNotMatch(line, /First/, JSON.stringify(r.out));
    } finally {
      await p.cleanup();
      await server.close();
    }
  });
});
