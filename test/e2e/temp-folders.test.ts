import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { project, startCli, waitCli } from '../helpers/cli.js';

const pgFolders = async (dir: string) => (await readdir(dir)).filter((f) => f.startsWith('flowrun-pg-'));

async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('embedded PostgreSQL temp folders never outlive flowrun', () => {
  for (const how of ['SIGKILL', 'double Ctrl-C'] as const) {
    it(`${how}: the watchdog removes flowrun-pg-*`, async () => {
      // A temp folder of its own, so the test sees only this run's folders (readable by the
      // unprivileged user PostgreSQL runs as when tests run as root).
      const tmp = await mkdtemp(path.join(os.tmpdir(), 'flowrun-tmp-test-'));
      await chmod(tmp, 0o755);
      const p = await project({
        'environments/local.yaml': `name: local
services:
  db: { postgres: embedded }
databases:
  main: { url: "{{services.db.url}}" }
`,
        'scenarios/slow.yaml': `name: Slow
steps:
  - sql: { db: main, query: "SELECT pg_sleep(60)" }
`,
      });
      try {
        const child = startCli(['--env', 'local', '-r', 'console'], { cwd: p.dir, env: { TMPDIR: tmp } });
        await waitFor('the cluster to start', 90_000, async () => {
          const found = await pgFolders(tmp);
          if (!found.length) return undefined;
          const data: string[] = await readdir(path.join(tmp, found[0], 'data')).catch(() => []);
          return data.includes('postmaster.pid') ? true : undefined;
        });
        // Let the scenario reach its query.
        await new Promise((r) => setTimeout(r, 1500));
        if (how === 'SIGKILL') child.kill('SIGKILL');
        else {
          child.kill('SIGINT');
          await new Promise((r) => setTimeout(r, 100));
          child.kill('SIGINT');
        }
        await waitCli(child, 30_000);
        await waitFor('the temp folder to be removed', 15_000, async () =>
          (await pgFolders(tmp)).length === 0 ? true : undefined,
        );
      } finally {
        await p.cleanup();
        await rm(tmp, { recursive: true, force: true });
      }
    });
  }
});
