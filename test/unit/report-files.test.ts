import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hyperlink, printReportFiles } from '../../src/report/written-files.js';
import { memoryScreen } from '../helpers/screen.js';

test('report files: plain paths in CI and pipes, the HTML report a file:// link on a TTY', () => {
  const files = ['reports/flowrun.json', 'reports/junit.xml', 'reports/flowrun.html'];
  const plain = memoryScreen();
  printReportFiles(plain, files, '/work/shop');
  assert.equal(
    plain.text(),
    'Reports:      reports/flowrun.json\n              reports/junit.xml\n              reports/flowrun.html',
  );
  const tty = memoryScreen({ isTTY: true });
  printReportFiles(tty, files, '/work/my shop');
  const link =
    '\u001b]8;;file:///work/my%20shop/reports/flowrun.html\u001b\\reports/flowrun.html\u001b]8;;\u001b\\';
  assert.ok(tty.text().endsWith(`reports/junit.xml\n              ${link}`), JSON.stringify(tty.text()));
  assert.equal(hyperlink('file:///a', 'a'), '\u001b]8;;file:///a\u001b\\a\u001b]8;;\u001b\\');
  const none = memoryScreen();
  printReportFiles(none, [], '/x');
  assert.deepEqual(none.lines, []);
});
