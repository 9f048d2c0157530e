/**
 * Every key of schemas/*.json is documented in docs/: named in backticks in the prose or a table
 * (`key`), or written as `key:` in an example. A key added to a schema without documentation fails
 * here, naming the key and where the schema declares it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { docFiles, readDoc, schemaKeys } from '../helpers/docs.js';

test('every schema key is documented in docs/', () => {
  const docs = docFiles()
    .filter((f) => f.startsWith('docs/'))
    .map(readDoc)
    .join('\n');
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const documented = (key: string): boolean =>
    docs.includes(`\`${key}\``) || new RegExp(`(^|[\\s{,\\-\\[\`])['"]?${escape(key)}['"]?:`, 'm').test(docs);
  const undocumented = [...schemaKeys()]
    .filter(([key]) => !documented(key))
    .map(([key, where]) => `${key}  (${where.join(', ')})`);
  assert.deepEqual(undocumented, [], `schema keys missing from docs/*.md:\n  ${undocumented.join('\n  ')}`);
});

test('the keys are read from the schemas', () => {
  const keys = schemaKeys();
  for (const key of ['steps', 'baseUrl', 'integration_points', 'mocks', 'minSuccessRate', 'within'])
    assert.ok(keys.has(key), key);
});
