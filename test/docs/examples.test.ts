/**
 * Every ```yaml example of README.md and docs/*.md is a valid file of the kind it shows: it is
 * parsed and checked against the same JSON schemas a run uses, so no example can drift from what
 * flowrun accepts. Partial examples are completed with the keys a file needs (a list of steps
 * becomes a scenario's steps, a scenario without a name gets one). The kind is guessed from the
 * example (a path comment, its $schema line, its keys) or declared before the fence with
 * `<!-- example: KIND -->`; `<!-- example: KIND pending FEATURE -->` marks an example of a
 * feature that has not landed yet (skipped while it does not validate).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { parseYamlSource } from '../../src/scenario/yaml-source.js';
import { validateSource, type SchemaName } from '../../src/scenario/validate.js';
import { docExamples, type DocExample } from '../helpers/docs.js';

const indent = (text: string, by: string): string =>
  text
    .split('\n')
    .map((line) => (line ? by + line : line))
    .join('\n');

/** Without the indentation all lines share (examples cut out of a larger file). */
function dedent(text: string): string {
  const lines = text.split('\n');
  const margin = Math.min(...lines.filter((l) => l.trim()).map((l) => l.match(/^ */)![0].length));
  return lines.map((l) => l.slice(Number.isFinite(margin) ? margin : 0)).join('\n');
}

/** The file an example stands for, completed where it is partial, and the schema it must pass. */
function asFile(example: DocExample): { text: string; schema: SchemaName } | undefined {
  const { kind } = example;
  const text = dedent(example.text);
  switch (kind) {
    case 'steps':
      return { text: `name: example\nsteps:\n${indent(text, '  ')}`, schema: 'scenario' };
    case 'step-part':
      return {
        text: `name: example\nsteps:\n  - http: { url: /example }\n${indent(text, '    ')}`,
        schema: 'scenario',
      };
    case 'step':
      return { text: `name: example\nsteps:\n  -\n${indent(text, '    ')}`, schema: 'scenario' };
    case 'scenario': {
      const data = (parse(text) ?? {}) as Record<string, unknown>;
      let completed = text;
      if (!('name' in data)) completed += 'name: example\n';
      if (!('steps' in data)) completed += 'steps:\n  - http: { url: /health }\n';
      return { text: completed, schema: 'scenario' };
    }
    case 'environment': {
      const data = (parse(text) ?? {}) as Record<string, unknown>;
      return { text: 'name' in data ? text : `${text}name: example\n`, schema: 'environment' };
    }
    case 'flow':
    case 'config':
    case 'matrix':
    case 'mock-file':
      return { text, schema: kind };
    default:
      return undefined; // ci, fragment: only parsed
  }
}

function problems(example: DocExample): string[] {
  const file = asFile(example);
  if (!file) {
    parse(example.text); // throws on a YAML error
    return [];
  }
  const source = parseYamlSource(file.text, example.where);
  return validateSource(source, file.schema).map(
    (e) =>
      `${e.message}${e.hint ? ` (${e.hint})` : ''}${e.location ? ` [line ${e.location.line} of the completed example]` : ''}`,
  );
}

const examples = docExamples();

describe('documentation examples', () => {
  it('there are examples of every file kind', () => {
    const kinds = new Set(examples.map((e) => e.kind));
    for (const kind of ['scenario', 'steps', 'environment', 'flow', 'config', 'matrix', 'mock-file'])
      assert.ok(kinds.has(kind as DocExample['kind']), `no ${kind} example in the docs`);
  });

  it('a wrong example fails, naming the key and its line', () => {
    const wrong: DocExample = {
      where: 'docs/x.md:3',
      text: '- name: a\n  http: { url: /x }\n  expct: { status: 200 }\n',
      kind: 'steps',
    };
    const found = problems(wrong);
    assert.equal(found.length, 1, found.join('\n'));
    assert.match(
      found[0]!,
      /unknown key "expct".*did you mean "expect"\?.*\[line 5 of the completed example\]/,
    );
    assert.throws(() => problems({ where: 'docs/x.md:9', text: 'a: [\n', kind: 'ci' }));
  });

  for (const example of examples) {
    it(`${example.where} (${example.kind ?? 'unknown kind'})`, (t) => {
      assert.ok(
        example.kind,
        `${example.where}: cannot tell which kind of file this example shows; ` +
          'put <!-- example: scenario|steps|step|step-part|environment|flow|config|matrix|mock-file|ci|fragment --> before the fence',
      );
      let found: string[];
      try {
        found = problems(example);
      } catch (error) {
        found = [(error as Error).message];
      }
      if (example.pending) {
        if (found.length) return t.skip(`pending: ${example.pending}`);
        t.diagnostic(`${example.where} is valid now: drop "pending ${example.pending}" from its marker`);
        return;
      }
      assert.deepEqual(found, [], `${example.where}:\n${example.text}`);
    });
  }
});
