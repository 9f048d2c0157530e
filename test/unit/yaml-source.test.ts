import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parseYamlFast, parseYamlFull, parseYamlSource } from '../../src/scenario/yaml-source.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Every JSON path of a value, the root included. */
function paths(v: unknown, p: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(p);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...p, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...p, k], out);
  return out;
}

/** The fast path must give yaml's values and yaml's position for every key and value. */
function sameAsYaml(text: string, name: string): void {
  const fast = parseYamlFast(text, name);
  assert.ok(fast, `${name} should take the fast path`);
  const full = parseYamlFull(text, name);
  assert.deepEqual(fast.data, full.data, `${name}: values differ`);
  for (const p of paths(full.data)) {
    for (const target of ['key', 'value'] as const) {
      assert.deepEqual(
        fast.locate(p, target),
        full.locate(p, target),
        `${name} ${JSON.stringify(p)} ${target}`,
      );
    }
  }
}

const tricky = `# yaml-language-server: $schema=../schemas/scenario.schema.json
name: "quoted \\"name\\" \\u00e9"
'single': 'it''s'
multi: this is
  a plain multi-line
  scalar
lit: |
  line one
    indented
folded: >-
  folded
  text

keep: |+
  kept

empty:
spaces:   
commented: # note
nulls: [~, null, Null, NULL]
bools: [true, True, TRUE, false, yes, no, on, off]
ints: [0, -0, +12, 017, 0o17, 0x1F, 1_000, 0b101, 12345678901234567890]
floats: [1.5, .5, 5., 1e3, -2.5E-3, .inf, -.Inf, .nan, 1.0]
dates: [2001-12-14, 2001-12-14t21:59:43.10-05:00]
"quoted key": 1
list:
  - a
  - - nested
    - seq
  - { flow: map, n: 1 }
  - [x, y, {z: 1}]
  - key: v   # comment
    other: w
  -
    late: start
url: http://example.com/a?b=1&c=2#frag
colon: "a: b"
tabbed:\tvalue
deep:
  b:
    c:
      - d: 1
        e:
          - f
`;

describe('YAML loading: the fast path equals yaml', () => {
  it('gives the same values and positions on tricky YAML (scalars of the 1.2 core schema, empties, flow, block scalars)', () => {
    sameAsYaml(tricky, 'tricky.yaml');
    sameAsYaml(
      'name: crlf\r\nsteps:\r\n  - http: { url: /x }\r\n    expect:\r\n      status: 200\r\n',
      'crlf.yaml',
    );
    sameAsYaml('- a\n- b: 1\n  c: [1, 2]\n', 'top-list.yaml');
    sameAsYaml('steps:\n- name: x\n  http:\n    url: /a\n- name: y\n', 'zero-indent.yaml');
  });

  it('gives the same values and positions for every YAML file of the project', () => {
    const files = execFileSync('git', ['ls-files', '*.yaml', '*.yml'], { cwd: root, encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean);
    assert.ok(files.length >= 10);
    for (const f of files) sameAsYaml(readFileSync(path.join(root, f), 'utf8'), f);
  });

  it('leaves anchors, tags, documents markers, duplicate keys, a BOM and errors to yaml', () => {
    for (const text of [
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      '---\na: 1\n',
      'a: 1\na: 2\n',
      '\ufeffa: 1\n',
      'a: [1, 2\n',
      '# only a comment\n',
      'b: two\n1: one\n',
    ]) {
      assert.equal(parseYamlFast(text, 'x.yaml'), null, JSON.stringify(text));
    }
    // Through the one entry point the errors keep yaml's located messages.
    assert.throws(
      () => parseYamlSource('a: 1\na: 2\n', 'dup.yaml'),
      (e: Error & { location?: { line: number } }) => /YAML/.test(e.message) && e.location?.line === 2,
    );
    assert.deepEqual(parseYamlSource('a: &x 1\nb: *x\n', 'alias.yaml').data, { a: 1, b: 1 });
  });
});

describe('merge keys and aliases', () => {
  it('merges `<<` mappings in both parsers, keys written beside it winning', () => {
    const viaAlias = 'base: &b { a: 1, b: 2 }\nx:\n  <<: *b\n  b: 3\n';
    assert.deepEqual(parseYamlSource(viaAlias, 'm.yaml').data, { base: { a: 1, b: 2 }, x: { a: 1, b: 3 } });
    // Without an anchor the fast path would take it: it must leave merge keys to yaml.
    const inline = 'x:\n  <<: { a: 1 }\n  c: 2\ny: { <<: [{ d: 4 }], e: 5 }\n';
    assert.equal(parseYamlFast(inline, 'm.yaml'), null);
    assert.deepEqual(parseYamlSource(inline, 'm.yaml').data, { x: { a: 1, c: 2 }, y: { d: 4, e: 5 } });
    // A quoted "<<" is an ordinary key.
    assert.deepEqual(parseYamlSource('x: { "<<": 1 }\n', 'm.yaml').data, { x: { '<<': 1 } });
  });

  it('accepts a small anchor reused many times and refuses an expansion bomb where it crosses the bound', () => {
    const reuse = ['h: &h { Accept: application/json }', 'steps:']
      .concat(Array.from({ length: 150 }, (_, i) => `  - { name: s${i}, headers: *h }`))
      .join('\n');
    const data = parseYamlSource(reuse, 'r.yaml').data as { steps: { headers: unknown }[] };
    assert.equal(data.steps.length, 150);
    assert.deepEqual(data.steps[149].headers, { Accept: 'application/json' });
    const bomb = [
      'a: &a [x,x,x,x,x,x,x,x,x,x]',
      ...'bcdef'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdef'[i]}`).join(',')}]`),
      'g: [*f]',
    ].join('\n');
    assert.throws(
      () => parseYamlSource(bomb, 'b.yaml'),
      (e: Error & { location?: { line: number; col: number } }) =>
        /aliases expand to over 1,000,000 values: refused as a possible alias bomb/.test(e.message) &&
        e.location?.line === 6 &&
        e.location.col === 7,
    );
  });
});

describe('unquoted templates and JSONPath', () => {
  const failure = (text: string) => {
    try {
      parseYamlSource(text, 'q.yaml');
    } catch (error) {
      const e = error as Error & { location?: { line: number; col: number }; hint?: string };
      return { message: e.message, at: `${e.location?.line}:${e.location?.col}`, hint: e.hint };
    }
    return undefined;
  };
  it('refuses {{x}} read as a mapping, in block and flow style, with the quoted fix', () => {
    for (const [text, at] of [
      ['a: { email: {{x}} }\n', '1:13'],
      ['a:\n  email: {{ x }}\n', '2:10'],
      ['d: { $.a: { eq: {{x}} } }\n', '1:17'],
    ] as const) {
      const f = failure(text);
      assert.equal(f?.message.startsWith('unquoted template {{'), true, text);
      assert.equal(f?.at, at, text);
      assert.match(f!.hint!, /^quote it: "\{\{ ?x ?\}\}"$/);
    }
  });
  it('hints at quoting when {{...}} or a JSONPath with [ ] breaks a flow collection', () => {
    for (const [text, value] of [
      ['b: { body: { $[0].x: 1 } }\n', '$[0].x'],
      ['b: { body: { $.items[0].id: { type: string } } }\n', '$.items[0].id'],
      ['c: { url: /a/{{id}}/b }\n', '/a/{{id}}/b'],
      ['c: [ /a/{{id}} ]\n', '/a/{{id}}'],
    ] as const) {
      const f = failure(text);
      assert.match(f?.message ?? '', /^YAML syntax error: /, text);
      assert.equal(f?.hint, `inside { } or [ ], quote a value or key that holds {{ }} or [ ]: "${value}"`);
    }
    assert.equal(failure('e: { ok: "{{x}}", p: "$[0].x" }\n'), undefined);
  });
});
