import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import busboy from 'busboy';
import { project, runCli } from '../helpers/cli.js';

interface Received {
  fields: Record<string, string[]>;
  files: { field: string; filename: string; mimeType: string; bytes: Buffer }[];
  raw?: Buffer;
  contentType?: string;
}

describe('request and response bodies: multipart, files, binary responses', () => {
  let server: http.Server;
  let url = '';
  const received: Received[] = [];
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    randomBytes(70_000),
  ]);
  const pngSha = createHash('sha256').update(png).digest('hex');

  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/image') {
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
        return void res.end(png);
      }
      if ((req.headers['content-type'] ?? '').startsWith('multipart/form-data')) {
        // A real multipart parser on the server side.
        const got: Received = { fields: {}, files: [] };
        const bb = busboy({ headers: req.headers });
        bb.on('field', (name, value) => (got.fields[name] ??= []).push(value));
        bb.on('file', (field, stream, info) => {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () =>
            got.files.push({
              field,
              filename: info.filename ?? '',
              mimeType: info.mimeType,
              bytes: Buffer.concat(chunks),
            }),
          );
        });
        bb.on('close', () => {
          received.push(got);
          res.writeHead(201, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ files: got.files.length, fields: Object.keys(got.fields).length }));
        });
        return void req.pipe(bb);
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        received.push({ fields: {}, files: [], raw, contentType: req.headers['content-type'] });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ bytes: raw.length }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('uploads fields and files as multipart/form-data that busboy parses byte for byte', async () => {
    const big = randomBytes(3 * 1024 * 1024 + 17);
    const p = await project({
      'environments/local.yaml': `name: local\nbaseUrl: ${url}\n`,
      'scenarios/upload.yaml': `name: Upload
steps:
  - http:
      method: POST
      url: /upload
      multipart:
        title: Quarterly "report"
        count: 3
        tags: [a, b]
        report: { file: ../fixtures/report.pdf }
        blob: { file: ../fixtures/big.bin, contentType: application/x-custom, filename: renamed.bin }
    expect: { status: 201, body: { $.files: 2, $.fields: 3 } }
  - http: { method: PUT, url: /avatar, body: { file: ../fixtures/avatar.png } }
    expect: { body: { $.bytes: ${png.length} } }
`,
    });
    try {
      await writeFile(path.join(p.dir, 'fixtures', 'report.pdf'), '%PDF-1.4 tiny').catch(async () => {
        await (await import('node:fs/promises')).mkdir(path.join(p.dir, 'fixtures'));
        await writeFile(path.join(p.dir, 'fixtures', 'report.pdf'), '%PDF-1.4 tiny');
      });
      await writeFile(path.join(p.dir, 'fixtures', 'big.bin'), big);
      await writeFile(path.join(p.dir, 'fixtures', 'avatar.png'), png);
      received.length = 0;
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const [multi, raw] = received;
      assert.deepEqual(multi.fields, { title: ['Quarterly "report"'], count: ['3'], tags: ['a', 'b'] });
      const byField = Object.fromEntries(multi.files.map((f) => [f.field, f]));
      assert.equal(byField.report.filename, 'report.pdf');
      assert.equal(byField.report.mimeType, 'application/pdf');
      assert.equal(byField.report.bytes.toString(), '%PDF-1.4 tiny');
      assert.equal(byField.blob.filename, 'renamed.bin');
      assert.equal(byField.blob.mimeType, 'application/x-custom');
      assert.ok(byField.blob.bytes.equals(big), 'the big file arrived byte for byte');
      assert.equal(raw.contentType, 'image/png');
      assert.ok(raw.raw!.equals(png), 'body: { file } sends the bytes as they are');
      const report = JSON.parse(await readFile(path.join(p.dir, 'reports', 'flowrun.json'), 'utf8'));
      const req = report.scenarios[0].steps[0].exchange.request;
      assert.equal(req.body.report, '<file ../fixtures/report.pdf, 13 bytes, application/pdf>');
      assert.match(
        report.scenarios[0].steps[0].exchange.curl,
        /-F '.*report=@.*report\.pdf;type=application\/pdf/,
      );
    } finally {
      await p.cleanup();
    }
  });

  it('keeps a binary response as bytes: length and sha256 expectations; reports show size and digest', async () => {
    const p = await project({
      'environments/local.yaml': `name: local\nbaseUrl: ${url}\n`,
      'scenarios/image.yaml': `name: Image
steps:
  - http: { url: /image }
    expect:
      headers: { content-type: image/png }
      body: { length: ${png.length}, sha256: ${pngSha} }
  - http: { url: /image }
    expect:
      body: { sha256: "${'0'.repeat(64)}" }
`,
    });
    try {
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(
        r.stdout,
        new RegExp(`body: expected sha256 0{64}, got ${pngSha}\\s+at scenarios/image\\.yaml:9:7`),
      );
      const report = JSON.parse(await readFile(path.join(p.dir, 'reports', 'flowrun.json'), 'utf8'));
      const [ok, bad] = report.scenarios[0].steps;
      assert.equal(ok.status, 'passed');
      assert.equal(ok.exchange.response.body, `<binary ${png.length} bytes, sha256 ${pngSha}, image/png>`);
      assert.equal(bad.assertions[0].actual, `<${png.length} bytes>`);
    } finally {
      await p.cleanup();
    }
  });

  it('a missing upload file fails the step with its path', async () => {
    const p = await project({
      'environments/local.yaml': `name: local\nbaseUrl: ${url}\n`,
      'scenarios/missing.yaml': `name: Missing file
steps:
  - http: { method: POST, url: /upload, multipart: { f: { file: nope.bin } } }
`,
    });
    try {
      const r = await runCli(['--env', 'local'], { cwd: p.dir });
      assert.equal(r.code, 1);
      assert.match(r.stdout, /body file nope\.bin cannot be read: ENOENT/);
    } finally {
      await p.cleanup();
    }
  });
});
