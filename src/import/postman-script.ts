import { parse } from 'acorn';

type Node = any;

/** What one Postman test script became. */
export interface TranslatedScript {
  expect: {
    status?: unknown;
    duration?: unknown;
    headers: Record<string, unknown>;
    body: Record<string, unknown>;
  };
  capture: Record<string, unknown>;
  /** Source of what could not be translated (kept as TODO comments). */
  todo: string[];
  assertions: number;
  translated: number;
  /** Variables the script sets from the response (captured) or that it could not capture. */
  captured: string[];
}

/** A subject of an assertion: the status, the duration, a header or a JSONPath of the body. */
type Subject =
  | { kind: 'status' }
  | { kind: 'duration' }
  | { kind: 'header'; name: string }
  | { kind: 'body'; path: string; length?: boolean };

const CHAIN_WORDS = new Set([
  'to',
  'be',
  'been',
  'is',
  'that',
  'which',
  'and',
  'has',
  'have',
  'with',
  'at',
  'of',
  'same',
  'but',
  'does',
  'deep',
  'itself',
  'still',
  'nested',
  'own',
  'any',
  'all',
]);
const TYPES: Record<string, string> = {
  string: 'string',
  number: 'number',
  array: 'array',
  object: 'object',
  boolean: 'boolean',
  null: 'null',
};
const SETTERS = new Set(['environment', 'globals', 'collectionVariables', 'variables']);
const LEGACY_SETTERS = new Set(['setEnvironmentVariable', 'setGlobalVariable']);

/** Sentinel for values that are not literals. */
const NOT_LITERAL = Symbol('not literal');

/**
 * Translates the common patterns of Postman test scripts (pm.* and the legacy `tests[...]`)
 * into flowrun expectations and captures, walking the script's syntax tree (acorn); every
 * statement it cannot translate is returned as source text for a TODO comment.
 */
export function translateTests(source: string, rename: (name: string) => string): TranslatedScript {
  const out: TranslatedScript = {
    expect: { headers: {}, body: {} },
    capture: {},
    todo: [],
    assertions: 0,
    translated: 0,
    captured: [],
  };
  let program: Node;
  try {
    program = parse(source, { ecmaVersion: 'latest', allowReturnOutsideFunction: true });
  } catch (error) {
    out.assertions = 1;
    out.todo.push(`(script does not parse: ${(error as Error).message})\n${source.trim()}`);
    return out;
  }
  const aliases = new Map<string, Subject>();
  const text = (n: Node): string => source.slice(n.start, n.end);

  const subjectOf = (n: Node): Subject | undefined => {
    if (n.type === 'Identifier') {
      if (aliases.has(n.name)) return aliases.get(n.name);
      if (n.name === 'responseTime') return { kind: 'duration' };
      return undefined;
    }
    if (isCall(n, ['pm', 'response', 'json']) || isJsonParseOfBody(n)) return { kind: 'body', path: '$' };
    if (isMember(n, ['pm', 'response', 'code']) || isMember(n, ['responseCode', 'code']))
      return { kind: 'status' };
    if (isMember(n, ['pm', 'response', 'responseTime'])) return { kind: 'duration' };
    if (
      (isCall(n, ['pm', 'response', 'headers', 'get']) || isCall(n, ['postman', 'getResponseHeader'])) &&
      n.arguments[0]?.type === 'Literal'
    )
      return { kind: 'header', name: String(n.arguments[0].value).toLowerCase() };
    if (n.type === 'MemberExpression') {
      const base = subjectOf(n.object);
      if (base?.kind !== 'body' || base.length) return undefined;
      const key = n.computed ? n.property : { type: 'Literal', value: n.property.name };
      if (key.type !== 'Literal') return undefined;
      if (!n.computed && n.property.name === 'length') return { ...base, length: true };
      if (typeof key.value === 'number') return { kind: 'body', path: `${base.path}[${key.value}]` };
      const name = String(key.value);
      return {
        kind: 'body',
        path: /^[A-Za-z_$][\w$]*$/.test(name) ? `${base.path}.${name}` : `${base.path}['${name}']`,
      };
    }
    return undefined;
  };

  const literal = (n: Node): unknown => {
    switch (n?.type) {
      case 'Literal':
        return n.regex ? NOT_LITERAL : n.value;
      case 'UnaryExpression':
        if (n.operator === '-' && n.argument.type === 'Literal' && typeof n.argument.value === 'number')
          return -n.argument.value;
        return NOT_LITERAL;
      case 'TemplateLiteral':
        return n.expressions.length ? NOT_LITERAL : n.quasis[0].value.cooked;
      case 'ArrayExpression': {
        const items = n.elements.map(literal);
        return items.includes(NOT_LITERAL) ? NOT_LITERAL : items;
      }
      case 'ObjectExpression': {
        const o: Record<string, unknown> = {};
        for (const p of n.properties) {
          if (p.type !== 'Property' || p.computed) return NOT_LITERAL;
          const v = literal(p.value);
          if (v === NOT_LITERAL) return NOT_LITERAL;
          o[p.key.type === 'Identifier' ? p.key.name : String(p.key.value)] = v;
        }
        return o;
      }
      case 'Identifier':
        return n.name === 'undefined' ? undefined : NOT_LITERAL;
      case 'CallExpression': {
        // pm.environment.get('x') and friends: the variable as a template.
        const m = n.callee;
        if (
          m.type === 'MemberExpression' &&
          !m.computed &&
          m.property.name === 'get' &&
          isMember(m.object, ['pm', m.object.property?.name]) &&
          SETTERS.has(m.object.property?.name) &&
          n.arguments[0]?.type === 'Literal'
        )
          return `{{${rename(String(n.arguments[0].value))}}}`;
        return NOT_LITERAL;
      }
      default:
        return NOT_LITERAL;
    }
  };

  /** Adds one expectation; false when it clashes with one already there. */
  const put = (subject: Subject, matcher: unknown): boolean => {
    if (subject.kind === 'body' && subject.length) {
      if (matcher && typeof matcher === 'object' && !Array.isArray(matcher)) return false;
      matcher = { length: matcher };
    }
    const e = out.expect;
    const merge = (current: unknown): unknown => {
      if (current === undefined) return matcher;
      if (JSON.stringify(current) === JSON.stringify(matcher)) return current;
      const isM = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
      if (isM(current) && isM(matcher)) {
        const keys = Object.keys(matcher as object);
        if (keys.some((k) => k in (current as object))) return NOT_LITERAL;
        return { ...(current as object), ...(matcher as object) };
      }
      return NOT_LITERAL;
    };
    const slot =
      subject.kind === 'status'
        ? ['status', e.status]
        : subject.kind === 'duration'
          ? ['duration', e.duration]
          : subject.kind === 'header'
            ? ['header', e.headers[subject.name]]
            : ['body', e.body[subject.path]];
    const merged = merge(slot[1]);
    if (merged === NOT_LITERAL) return false;
    if (subject.kind === 'status') e.status = merged;
    else if (subject.kind === 'duration') e.duration = merged;
    else if (subject.kind === 'header') e.headers[subject.name] = merged;
    else e.body[subject.path] = merged;
    return true;
  };

  /** `pm.expect(x).to.be.a('string')` and the rest of the chai chain. */
  const translateExpect = (n: Node): boolean => {
    const words: string[] = [];
    let args: Node[] | undefined;
    let node = n;
    let subjectNode: Node | undefined;
    for (;;) {
      if (node.type === 'CallExpression') {
        if (isMember(node.callee, ['pm', 'expect'])) {
          subjectNode = node.arguments[0];
          break;
        }
        if (node.callee.type !== 'MemberExpression' || node.callee.computed) return false;
        if (args !== undefined) return false;
        args = node.arguments;
        words.unshift(`${node.callee.property.name}()`);
        node = node.callee.object;
      } else if (node.type === 'MemberExpression' && !node.computed) {
        words.unshift(node.property.name);
        node = node.object;
      } else return false;
    }
    if (!subjectNode) return false;
    const subject = subjectOf(subjectNode);
    if (!subject) return false;
    const negate = words.includes('not');
    const meaningful = words.filter((w) => !CHAIN_WORDS.has(w) && w !== 'not');
    if (meaningful.length !== 1) return false;
    const word = meaningful[meaningful.length - 1];
    const first = args?.[0] ? literal(args[0]) : undefined;
    if (args?.length && first === NOT_LITERAL && !['match()'].includes(word)) return false;
    let matcher: unknown;
    switch (word) {
      case 'eql()':
      case 'equal()':
      case 'equals()':
      case 'eq()':
        matcher = negate ? { ne: first } : first;
        break;
      case 'a()':
      case 'an()': {
        const type = TYPES[String(first).toLowerCase()];
        if (!type || negate) return false;
        matcher = { type };
        break;
      }
      case 'include()':
      case 'includes()':
      case 'contain()':
      case 'contains()':
        if (negate) return false;
        matcher = { contains: first };
        break;
      case 'lengthOf()':
      case 'length()':
        if (negate) return false;
        matcher = { length: first };
        break;
      case 'above()':
      case 'gt()':
      case 'greaterThan()':
        matcher = negate ? { lte: first } : { gt: first };
        break;
      case 'below()':
      case 'lt()':
      case 'lessThan()':
        matcher = negate ? { gte: first } : { lt: first };
        break;
      case 'least()':
        matcher = { gte: first };
        break;
      case 'most()':
        matcher = { lte: first };
        break;
      case 'within()': {
        const second = literal(args![1]);
        if (second === NOT_LITERAL || negate) return false;
        matcher = { gte: first, lte: second };
        break;
      }
      case 'oneOf()':
        matcher = negate ? { notIn: first } : { in: first };
        break;
      case 'match()':
        if (args?.[0]?.regex && !negate) matcher = { matches: args[0].regex.pattern };
        else return false;
        break;
      case 'true':
      case 'false':
      case 'null':
        matcher = word === 'null' ? null : word === 'true';
        if (negate) matcher = { ne: matcher };
        break;
      case 'undefined':
        matcher = { exists: negate };
        break;
      case 'exist':
        matcher = { exists: !negate };
        break;
      case 'empty':
        matcher = { empty: !negate };
        break;
      case 'property()': {
        if (subject.kind !== 'body' || subject.length || typeof first !== 'string') return false;
        const path = /^[A-Za-z_$][\w$]*$/.test(first)
          ? `${subject.path}.${first}`
          : `${subject.path}['${first}']`;
        if (args!.length > 1) {
          const value = literal(args![1]);
          if (value === NOT_LITERAL) return false;
          return put({ kind: 'body', path }, negate ? { ne: value } : value);
        }
        return put({ kind: 'body', path }, { exists: !negate });
      }
      default:
        return false;
    }
    if (
      subject.kind === 'status' &&
      matcher !== null &&
      typeof matcher === 'object' &&
      'type' in (matcher as object)
    )
      return false;
    return put(subject, matcher);
  };

  /** `pm.response.to.have.status(200)`, `.to.be.ok`, `.to.have.header(...)`, `.to.be.json`. */
  const translateResponse = (n: Node): boolean => {
    const words: string[] = [];
    let args: Node[] = [];
    let node = n;
    if (node.type === 'CallExpression') {
      args = node.arguments;
      node = node.callee;
      if (node.type !== 'MemberExpression') return false;
      words.unshift(`${node.property.name}()`);
      node = node.object;
    }
    while (node.type === 'MemberExpression' && !node.computed && !isMember(node, ['pm', 'response'])) {
      words.unshift(node.property.name);
      node = node.object;
    }
    if (!isMember(node, ['pm', 'response'])) return false;
    if (words.includes('not')) return false;
    const word = words.filter((w) => !CHAIN_WORDS.has(w)).join('.');
    const first = args[0] ? literal(args[0]) : undefined;
    if (first === NOT_LITERAL) return false;
    switch (word) {
      case 'status()':
        if (typeof first === 'number') return put({ kind: 'status' }, first);
        return false;
      case 'ok':
      case 'success':
        return put({ kind: 'status' }, { gte: 200, lt: 300 });
      case 'header()': {
        if (typeof first !== 'string') return false;
        const value = args[1] ? literal(args[1]) : undefined;
        if (value === NOT_LITERAL) return false;
        return put({ kind: 'header', name: first.toLowerCase() }, args[1] ? value : { exists: true });
      }
      case 'json':
      case 'withBody':
        return put({ kind: 'header', name: 'content-type' }, { contains: 'json' });
      case 'jsonBody()':
        if (typeof first !== 'string') return false;
        return put({ kind: 'body', path: `$.${first}` }, { exists: true });
      default:
        return false;
    }
  };

  /** Legacy `tests["name"] = <boolean expression>`. */
  const translateBoolean = (n: Node): boolean => {
    if (n.type === 'LogicalExpression' && n.operator === '&&')
      return translateBoolean(n.left) && translateBoolean(n.right);
    if (n.type === 'BinaryExpression') {
      const ops: Record<string, string> = {
        '===': 'eq',
        '==': 'eq',
        '!==': 'ne',
        '!=': 'ne',
        '>': 'gt',
        '<': 'lt',
        '>=': 'gte',
        '<=': 'lte',
      };
      const flip: Record<string, string> = { gt: 'lt', lt: 'gt', gte: 'lte', lte: 'gte', eq: 'eq', ne: 'ne' };
      let op = ops[n.operator];
      if (!op) return false;
      let subject = subjectOf(n.left);
      let value = literal(n.right);
      if (!subject) {
        subject = subjectOf(n.right);
        value = literal(n.left);
        op = flip[op];
      }
      if (!subject || value === NOT_LITERAL) return false;
      if (op === 'eq') return put(subject, value);
      if (value === undefined) return op === 'ne' ? put(subject, { exists: true }) : false;
      return put(subject, { [op]: value });
    }
    if (n.type === 'CallExpression' && n.callee.type === 'MemberExpression' && !n.callee.computed) {
      const name = n.callee.property.name;
      const subject = subjectOf(n.callee.object);
      const arg = n.arguments[0] ? literal(n.arguments[0]) : NOT_LITERAL;
      if (subject?.kind === 'body' && !subject.length && name === 'hasOwnProperty' && typeof arg === 'string')
        return put({ kind: 'body', path: `${subject.path}.${arg}` }, { exists: true });
      return false;
    }
    if (
      n.type === 'UnaryExpression' &&
      n.operator === '!' &&
      n.argument.type === 'UnaryExpression' &&
      n.argument.operator === '!'
    ) {
      const subject = subjectOf(n.argument.argument);
      return subject?.kind === 'body' ? put(subject, { exists: true }) : false;
    }
    return false;
  };

  /** `pm.environment.set('token', data.token)`: a capture. */
  const translateSet = (n: Node): boolean | undefined => {
    if (n.type !== 'CallExpression' || n.callee.type !== 'MemberExpression') return undefined;
    const callee = n.callee;
    const modern =
      !callee.computed &&
      callee.property.name === 'set' &&
      callee.object.type === 'MemberExpression' &&
      isMember(callee.object, ['pm', callee.object.property?.name]) &&
      SETTERS.has(callee.object.property?.name);
    const legacy = isMember(callee.object, ['postman']) && LEGACY_SETTERS.has(callee.property?.name);
    const legacyObj =
      callee.object.type === 'Identifier' &&
      callee.object.name === 'postman' &&
      LEGACY_SETTERS.has(callee.property?.name);
    if (!modern && !legacy && !legacyObj) return undefined;
    const key = literal(n.arguments[0]);
    if (typeof key !== 'string') return false;
    const name = rename(key);
    const subject = n.arguments[1] ? subjectOf(unwrapToString(n.arguments[1])) : undefined;
    if (subject?.kind === 'body' && !subject.length) out.capture[name] = subject.path;
    else if (subject?.kind === 'header') out.capture[name] = { header: subject.name };
    else return false;
    out.captured.push(name);
    return true;
  };

  const statement = (s: Node, testName?: string): void => {
    const todo = (counts: boolean) => {
      if (counts) out.assertions++;
      out.todo.push(testName ? `pm.test(${JSON.stringify(testName)}): ${text(s)}` : text(s));
    };
    if (s.type === 'EmptyStatement') return;
    if (s.type === 'VariableDeclaration') {
      for (const d of s.declarations) {
        const subject = d.init && d.id.type === 'Identifier' ? subjectOf(d.init) : undefined;
        if (subject) aliases.set(d.id.name, subject);
        else todo(false);
      }
      return;
    }
    if (s.type !== 'ExpressionStatement') return todo(true);
    const e = s.expression;
    if (isCall(e, ['pm', 'test']) && e.arguments.length >= 2) {
      const fn = e.arguments[1];
      const name = literal(e.arguments[0]);
      if (
        (fn.type === 'FunctionExpression' || fn.type === 'ArrowFunctionExpression') &&
        fn.body.type === 'BlockStatement'
      ) {
        for (const inner of fn.body.body) statement(inner, typeof name === 'string' ? name : undefined);
        return;
      }
      if (fn.type === 'ArrowFunctionExpression') {
        statement(
          { type: 'ExpressionStatement', expression: fn.body, start: fn.body.start, end: fn.body.end },
          typeof name === 'string' ? name : undefined,
        );
        return;
      }
      return todo(true);
    }
    if (
      e.type === 'CallExpression' &&
      e.callee.type === 'MemberExpression' &&
      isMember(e.callee.object, ['console'])
    )
      return;
    if (
      e.type === 'CallExpression' &&
      e.callee.type === 'MemberExpression' &&
      e.callee.object.type === 'Identifier' &&
      e.callee.object.name === 'console'
    )
      return;
    const set = translateSet(e);
    if (set === true) return;
    if (set === false) return todo(false);
    if (
      e.type === 'AssignmentExpression' &&
      e.left.type === 'MemberExpression' &&
      e.left.object.type === 'Identifier' &&
      e.left.object.name === 'tests'
    ) {
      out.assertions++;
      if (translateBoolean(e.right)) out.translated++;
      else {
        out.assertions--;
        todo(true);
      }
      return;
    }
    if (mentions(e, 'expect') || startsWithResponse(e)) {
      out.assertions++;
      if (translateExpect(e) || translateResponse(e)) out.translated++;
      else {
        out.assertions--;
        todo(true);
      }
      return;
    }
    todo(true);
  };

  for (const s of program.body) statement(s);
  return out;
}

/** `String(x)` and `x.toString()` capture the same value as x. */
function unwrapToString(n: Node): Node {
  if (n.type === 'CallExpression' && n.callee.type === 'Identifier' && n.callee.name === 'String')
    return n.arguments[0];
  if (
    n.type === 'CallExpression' &&
    n.callee.type === 'MemberExpression' &&
    n.callee.property?.name === 'toString'
  )
    return n.callee.object;
  return n;
}

function isMember(n: Node, names: string[]): boolean {
  let node = n;
  for (let i = names.length - 1; i > 0; i--) {
    if (node?.type !== 'MemberExpression' || node.computed || node.property.name !== names[i]) return false;
    node = node.object;
  }
  return node?.type === 'Identifier' && node.name === names[0];
}

const isCall = (n: Node, names: string[]): boolean =>
  n?.type === 'CallExpression' && isMember(n.callee, names);

const isJsonParseOfBody = (n: Node): boolean =>
  isCall(n, ['JSON', 'parse']) &&
  ((n.arguments[0]?.type === 'Identifier' && n.arguments[0].name === 'responseBody') ||
    isCall(n.arguments[0], ['pm', 'response', 'text']));

function mentions(n: Node, name: string): boolean {
  let node = n;
  while (node) {
    if (node.type === 'CallExpression') {
      if (isMember(node.callee, ['pm', name])) return true;
      node = node.callee;
    } else if (node.type === 'MemberExpression') node = node.object;
    else return false;
  }
  return false;
}

function startsWithResponse(n: Node): boolean {
  let node = n;
  while (node) {
    if (isMember(node, ['pm', 'response'])) return true;
    if (node.type === 'CallExpression') node = node.callee;
    else if (node.type === 'MemberExpression') node = node.object;
    else return false;
  }
  return false;
}
