import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpServer, json, project, runCli } from '../helpers/cli.js';

interface Result {
  totals: Record<string, number>;
  successRate: number;
  environments: string[];
  startedAt: string;
  endedAt: string;
  durationMs: number;
  interrupted: boolean;
  scenarios: { id: string; environment: string; status: string }[];
}

const readJson = async (file: string): Promise<Result> => JSON.parse(await readFile(file, 'utf8')) as Result;
const statuses = (r: Result): string[] =>
  r.scenarios.map((s) => `${s.environment}|${s.id}|${s.status}`).sort();

describe('sharding: --shard i/n, the ndjson reporter and flowrun merge', () => {
  let server: Awaited<ReturnType<typeof httpServer>>;
  let p: Awaited<ReturnType<typeof project>>;
  const secret = 'sk_test_shard_secret_value';

  before(async () => {
    server = await httpServer((req, res) => {
      const u = new URL(req.url, 'http://x');
      json(res, Number(u.searchParams.get('status') ?? 200), { path: u.pathname, q: u.search });
    });
    const files: Record<string, string> = {
      'environments/local.yaml': `name: local\nbaseUrl: ${server.url}\nsecrets:\n  key: "{{env.SHARD_SECRET}}"\n`,
    };
    for (let i = 0; i < 9; i++) {
      files[`scenarios/s${i}.yaml`] = `name: Scenario ${i}
steps:
  - http: { url: "/s${i}?key={{secrets.key}}&status=${i === 4 ? 500 : 200}" }
    expect: { status: 200 }
`;
    }
    files['scenarios/params.yaml'] = `name: Pay
parameters:
  gateway: [stripe, cloudpayments, yookassa]
  currency: [RUB, USD]
steps:
  - http: { url: "/pay/{{gateway}}/{{currency}}" }
    expect: { status: 200 }
`;
    files['scenarios/skipped.yaml'] =
      `name: Not yet\nskip: waiting for the refunds API\nsteps:\n  - http: { url: /x }\n`;
    p = await project(files);
  });
  after(async () => {
    await p.cleanup();
    await server.close();
  });

  const run = (args: string[]) => runCli(args, { cwd: p.dir, env: { SHARD_SECRET: secret } });

  it('3 shards merged give the same totals and scenario results as one run', async () => {
    const single = await run(['--env', 'local', '-r', 'json', '-o', 'out/single']);
    assert.equal(single.code, 1, single.stdout + single.stderr);
    const whole = await readJson(path.join(p.dir, 'out/single/flowrun.json'));
    assert.deepEqual(whole.totals, { scenarios: 16, passed: 14, failed: 1, skipped: 1, flaky: 0 });

    const sizes: number[] = [];
    let failedShards = 0;
    for (let i = 1; i <= 3; i++) {
      const r = await run([
        '--env',
        'local',
        '--shard',
        `${i}/3`,
        '-r',
        'ndjson,json',
        '-o',
        `out/shard-${i}`,
      ]);
      assert.ok(r.code === 0 || r.code === 1, r.stdout + r.stderr);
      if (r.code === 1) failedShards++;
      const ndjson = await readFile(path.join(p.dir, `out/shard-${i}/flowrun.ndjson`), 'utf8');
      assert.ok(!ndjson.includes(secret), 'the secret is masked in the ndjson events');
      const events = ndjson
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string });
      assert.equal(events[0].type, 'begin');
      assert.equal(events.at(-1)!.type, 'end');
      for (const t of ['scenarioBegin', 'stepEnd', 'scenarioEnd'])
        assert.ok(
          events.some((e) => e.type === t),
          `${t} in shard ${i}`,
        );
      sizes.push(events.filter((e) => e.type === 'scenarioEnd').length);
    }
    assert.equal(failedShards, 1, 'the failing scenario is in exactly one shard');
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `balanced shards: ${sizes.join(', ')}`);
    assert.equal(
      sizes.reduce((a, b) => a + b),
      16,
    );

    const merged = await run([
      'merge',
      'out/shard-1',
      'out/shard-2/flowrun.ndjson',
      'out/shard-3',
      '-r',
      'console,json',
      '-o',
      'out/merged',
    ]);
    assert.equal(merged.code, 1, merged.stdout + merged.stderr);
    assert.match(merged.stdout, /Scenarios:\s+14 passed, 1 failed, 1 skipped \(16 total\)/);
    assert.match(merged.stdout, /Success rate: 93\.3%/);
    assert.match(merged.stdout, /✗ Scenario 4/);
    const result = await readJson(path.join(p.dir, 'out/merged/flowrun.json'));
    assert.deepEqual(result.totals, whole.totals);
    assert.equal(result.successRate, whole.successRate);
    assert.deepEqual(statuses(result), statuses(whole));
    assert.deepEqual(result.environments, ['local']);
    assert.equal(result.interrupted, false);
    // Wall time from the first shard's start to the last shard's end (the shards ran one by one).
    const shards = await Promise.all(
      [1, 2, 3].map((i) => readJson(path.join(p.dir, `out/shard-${i}/flowrun.json`))),
    );
    const first = Math.min(...shards.map((s) => Date.parse(s.startedAt)));
    const last = Math.max(...shards.map((s) => Date.parse(s.endedAt)));
    assert.equal(result.startedAt, new Date(first).toISOString());
    assert.equal(result.endedAt, new Date(last).toISOString());
    assert.equal(result.durationMs, last - first);

    // flowrun.json files merge the same way.
    const fromJson = await run([
      'merge',
      ...[1, 2, 3].map((i) => `out/shard-${i}/flowrun.json`),
      '-r',
      'json',
      '-o',
      'out/merged-json',
    ]);
    assert.equal(fromJson.code, 1, fromJson.stderr);
    const viaJson = await readJson(path.join(p.dir, 'out/merged-json/flowrun.json'));
    assert.deepEqual(statuses(viaJson), statuses(whole));
  });

  it('refuses overlapping shards and unreadable files with located errors (exit 2)', async () => {
    const shard = await run(['--env', 'local', '--shard', '1/2', '-r', 'ndjson', '-o', 'out/a']);
    const twice = await run([
      'merge',
      'out/a/flowrun.ndjson',
      'out/a/flowrun.ndjson',
      '-r',
      'json',
      '-o',
      'out/x',
    ]);
    // The same path twice is one input; a copy of it is an overlap.
    assert.equal(twice.code, shard.code, twice.stderr);
    assert.match(twice.stderr, /merged 1 result file: out\/a\/flowrun\.ndjson/);
    await writeFile(
      path.join(p.dir, 'out/copy.ndjson'),
      await readFile(path.join(p.dir, 'out/a/flowrun.ndjson')),
    );
    const overlap = await run(['merge', 'out/a', 'out/copy.ndjson', '-r', 'json', '-o', 'out/x']);
    assert.equal(overlap.code, 2);
    assert.match(
      overlap.stderr,
      /error: scenario ".+" \[local\] is in both out\/a\/flowrun\.ndjson and out\/copy\.ndjson/,
    );

    await writeFile(
      path.join(p.dir, 'out/bad.ndjson'),
      '{"type":"begin","info":{}}\nnot json\n{"type":"end","result":{}}\n',
    );
    const bad = await run(['merge', 'out/bad.ndjson']);
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /out\/bad\.ndjson:2:1: error: out\/bad\.ndjson is neither flowrun\.json nor NDJSON events/,
    );

    const missing = await run(['merge', 'out/nope.ndjson']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no such report: out\/nope\.ndjson/);
  });
});
