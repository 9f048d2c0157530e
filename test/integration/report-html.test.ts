import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createReporter } from '../../src/report/html/index.js';
import { largeRun, MATRIX_YAML, sampleRun } from '../helpers/results.js';
import { memoryScreen } from '../helpers/screen.js';
import { findTool, skipWithout } from '../helpers/tools.js';

// CHROME_PATH, playwright-core's own download, or a Chrome/Chromium on PATH (test/helpers/tools.ts).
const skip = skipWithout('chromium');
const CHROMIUM = findTool('chromium');
const DEADLINE = 15_000;
let browser: Browser;
let dir: string;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'flowrun-html-'));
  if (skip) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: DEADLINE,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    // launch() gives every run a fresh temporary profile (user-data-dir) of its own.
  });
});
after(async () => {
  await browser?.close();
});

async function writeReport(name: string, result = sampleRun()): Promise<string> {
  const out = path.join(dir, name);
  await writeFile(path.join(dir, 'integration-matrix.yaml'), MATRIX_YAML);
  const reporter = await createReporter({
    outDir: out,
    cwd: dir,
    screen: memoryScreen(),
    matrixFile: 'integration-matrix.yaml',
  });
  await reporter.onEnd!(result);
  return path.join(out, 'flowrun.html');
}

/** Opens the file and records every request that is not the file itself (there must be none). */
async function open(file: string): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(DEADLINE);
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => {
    if (r.url() !== pathToFileURL(file).href) requests.push(r.url());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(pathToFileURL(file).href, { timeout: DEADLINE });
  await page.waitForSelector('body[data-ready="1"]', { timeout: DEADLINE });
  return { page, requests, errors };
}

test('html: one self-contained file; data embedded with < escaped', async () => {
  const file = await writeReport('self-contained');
  assert.deepEqual(await readdir(path.dirname(file)), ['flowrun.html']);
  const html = await readFile(file, 'utf8');
  const data = /<script type="application\/json" id="flowrun-data">([\s\S]*?)<\/script>/.exec(html)![1];
  assert.doesNotMatch(data, /</, 'no raw < inside the data block');
  assert.match(data, /Register & log in \\u003cnew> user/);
  assert.doesNotMatch(html, /<link |src="http|href="http/);
  assert.doesNotMatch(html, /secret-token|s3cr3t|sid=abc123/, 'credentials never reach the file');
});

test('html: summary, heatmap, filters, a failing scenario with its diff and request', { skip }, async () => {
  const file = await writeReport('sample');
  const { page, requests, errors } = await open(file);
  try {
    const card = async (name: string) => page.locator(`[data-card="${name}"] b`).textContent();
    assert.equal(await card('failed'), '2');
    assert.equal(await card('success rate'), '80.0%');
    assert.equal(
      await page.locator('#matrix-title').textContent(),
      'Integration matrix: 9/12 points covered (75%)',
    );
    // The heatmap: 12 rows × 2 environments, coloured by status.
    assert.equal(await page.locator('#matrix td.cell').count(), 24);
    assert.equal(await page.locator('#matrix td.cell.failed').count(), 5);
    assert.equal(await page.locator('#matrix td.cell.not-covered').count(), 4);
    // The title escapes HTML from data; no script injection from a scenario name.
    assert.equal(
      await page.locator('.row .name').filter({ hasText: 'Register & log in <new> user' }).count(),
      2,
    );

    assert.equal(await page.locator('#count').textContent(), '12 of 12 scenarios');
    // Failures come first.
    assert.equal(await page.locator('.row .badge').first().textContent(), 'failed');

    await page.fill('#q', 'gateway');
    assert.equal(await page.locator('#count').textContent(), '6 of 12 scenarios');
    await page.selectOption('#env', 'staging');
    assert.equal(await page.locator('#count').textContent(), '3 of 12 scenarios');
    await page.selectOption('#status', 'failed');
    assert.equal(await page.locator('#count').textContent(), '1 of 12 scenarios');
    assert.match((await page.locator('.row .name').textContent())!, /Gateway charge \(gateway=yookassa\)/);
    await page.fill('#q', '');
    await page.selectOption('#env', '');
    await page.selectOption('#tag', 'smoke');
    assert.equal(await page.locator('#count').textContent(), '1 of 12 scenarios');
    await page.selectOption('#status', '');
    assert.equal(await page.locator('#count').textContent(), '4 of 12 scenarios');
    await page.selectOption('#tag', '');

    // A matrix cell lists the scenarios behind it.
    await page.locator('#matrix td.cell.failed').first().click();
    assert.equal(await page.locator('#cell-filter').textContent(), 'matrix: orders → payments [staging] ✕');
    assert.equal(await page.locator('#count').textContent(), '4 of 12 scenarios');
    await page.locator('#cell-filter').click();
    assert.equal(await page.locator('#count').textContent(), '12 of 12 scenarios');

    // Expand the failing checkout: details are built on demand.
    assert.equal(await page.locator('.details').count(), 0);
    await page.fill('#q', 'checkout staging');
    await page.locator('.row .head').first().click();
    const details = page.locator('.row .details');
    assert.equal(await details.count(), 1);
    const text = (await details.textContent())!;
    assert.match(text, /body \$\.status: expected "confirmed", got "failed"/);
    assert.equal(await details.locator('.step').count(), 4, 'all steps on the timeline');
    assert.equal(await details.locator('.bar.failed').count(), 1);
    // The failed step is open: the poll attempts, the diff, the request and response.
    const failed = details.locator('.step').nth(2);
    assert.match((await failed.locator('h4').first().textContent())!, /Expectations/);
    assert.match((await failed.textContent())!, /Poll: 5 attempts, timed out after 2\.00s/);
    assert.equal(await failed.locator('.attempts tr').count(), 6);
    assert.deepEqual(await failed.locator('.diff .del').allTextContents(), ['-   "status": "confirmed"']);
    assert.ok((await failed.locator('.diff .add').allTextContents()).includes('+   "status": "failed",'));
    assert.match((await failed.locator('.res-body').textContent())!, /"status": "failed"/);
    assert.match(
      (await failed.locator('.curl').textContent())!,
      /Authorization: Bearer \*\*\*' -H 'Cookie: \*\*\*'/,
    );
    const headers = await failed.locator('.kv').first().textContent();
    assert.match(headers!, /AuthorizationBearer \*\*\*/);
    // A passed step opens on click.
    const first = details.locator('.step').first();
    assert.equal(await first.locator('.sbody').isHidden(), true);
    await first.locator('.shead').click();
    assert.match(
      (await first.locator('.sbody').textContent())!,
      /Request: POST http:\/\/127\.0\.0\.1:8000\/api\/auth\/register/,
    );

    await page.screenshot({ path: path.join(dir, 'report.png'), fullPage: true });
    assert.deepEqual(requests, [], 'the page makes no network request');
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('html: 2,000 scenarios open and filter without freezing (measured)', { skip }, async () => {
  const big = largeRun(2000);
  const file = await writeReport('large', big);
  const started = performance.now();
  const { page, errors } = await open(file);
  const openMs = performance.now() - started;
  try {
    assert.equal(await page.locator('#count').textContent(), '2000 of 2000 scenarios');
    assert.equal(await page.locator('.row').count(), 100, 'one page of rows is rendered, not 2,000');
    // Filtering runs synchronously on input; time it inside the page.
    const filterMs = await page.evaluate(() => {
      const q = document.getElementById('q') as HTMLInputElement;
      const times: number[] = [];
      for (const text of ['scenario 1', 'rejects', 'area-7 smoke', '']) {
        const t0 = performance.now();
        q.value = text;
        q.dispatchEvent(new Event('input'));
        times.push(performance.now() - t0);
      }
      return Math.max(...times);
    });
    await page.fill('#q', 'rejects');
    const failing = big.scenarios.filter((s) => s.name.includes('rejects')).length;
    assert.equal(await page.locator('#count').textContent(), `${failing} of 2000 scenarios`);
    await page.locator('#more').click();
    assert.equal(await page.locator('.row').count(), Math.min(failing, 200));
    const expandMs = await page.evaluate(() => {
      const t0 = performance.now();
      (document.querySelector('.row .head') as HTMLElement).click();
      return performance.now() - t0;
    });
    assert.equal(await page.locator('.details').count(), 1);
    console.log(
      `# html 2000 scenarios: file ${(Buffer.byteLength(await readFile(file)) / 1e6).toFixed(1)} MB, open ${openMs.toFixed(0)} ms, ` +
        `filter ≤ ${filterMs.toFixed(1)} ms, expand ${expandMs.toFixed(1)} ms`,
    );
    assert.ok(openMs < 5000, `open took ${openMs} ms`);
    assert.ok(filterMs < 200, `filter took ${filterMs} ms`);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});
