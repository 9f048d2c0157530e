/**
 * docs/cli.md against the command definitions (src/cli/main.ts): every command and every option
 * is documented, and every option the page names exists.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineCli } from '../../src/cli/main.js';
import { readDoc } from '../helpers/docs.js';
import { memoryScreen } from '../helpers/screen.js';

const cli = defineCli(memoryScreen());
const page = readDoc('docs/cli.md');
const longFlag = (raw: string): string => raw.match(/--[a-z][a-z-]*/)![0];

test('every command and option of the command line is in docs/cli.md', () => {
  const missing: string[] = [];
  for (const command of cli.commands) {
    const name = command.name === '' ? '' : command.name;
    if (name && !new RegExp(`flowrun ${name}\\b`).test(page)) missing.push(`command: flowrun ${name}`);
    for (const option of command.options) {
      const flag = longFlag(option.rawName);
      if (!page.includes(flag)) missing.push(`option: flowrun ${name || '[paths..]'} ${flag}`);
    }
  }
  for (const option of cli.globalCommand.options) {
    const flag = longFlag(option.rawName);
    if (!page.includes(flag)) missing.push(`option: ${flag}`);
  }
  assert.deepEqual(missing, [], `not documented in docs/cli.md:\n  ${missing.join('\n  ')}`);
});

test('every option docs/cli.md names exists', () => {
  const defined = new Set(
    [...cli.commands.flatMap((c) => c.options), ...cli.globalCommand.options].map((o) => longFlag(o.rawName)),
  );
  const named = new Set(page.match(/(?<![\w-])--[a-z][a-z-]*/g) ?? []);
  const unknown = [...named].filter((flag) => !defined.has(flag));
  assert.deepEqual(unknown, [], `docs/cli.md names options the command line does not have`);
  assert.ok(defined.has('--env') && defined.has('--force'), 'the definitions are read');
});
