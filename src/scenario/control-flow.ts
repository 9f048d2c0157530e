import path from 'node:path';
import { ITERATION } from '../engine/control-flow.js';
import { LoadError, type FlowrunError } from '../errors.js';
import type { ConditionSpec, LoopSpec, StepFlow } from '../types.js';
import { parseDuration } from '../util/time.js';
import { checkTemplates, type KnownNames } from './check-templates.js';
import { readDataRows } from './data-file.js';
import type { YamlSource } from './yaml-source.js';

type Path = (string | number)[];

const singleExpression = /^\{\{\s*[^{}#/!>^][^{}]*\}\}$/;
const identifier = /^[A-Za-z_$][\w$]*$/;

export interface FlowInput {
  raw: Record<string, unknown>;
  at: Path;
  source: YamlSource;
  known: KnownNames;
  errors: FlowrunError[];
  cwd: string;
  /** An include: `repeat.until` needs a single step. */
  isInclude: boolean;
}

/**
 * The control-flow keys of a step or include (`when`, `repeat`, `forEach`, `continueOnFailure`),
 * checked and located; undefined when there are none (the common case costs one key test each).
 */
export function parseStepFlow(input: FlowInput): { flow?: StepFlow; loopNames: string[] } {
  const { raw } = input;
  if (
    raw.when === undefined &&
    raw.repeat === undefined &&
    raw.forEach === undefined &&
    raw.continueOnFailure === undefined
  )
    return { loopNames: [] };
  const flow: StepFlow = {};
  const loopNames: string[] = [];
  if (raw.continueOnFailure === true) flow.continueOnFailure = true;
  if (raw.repeat !== undefined && raw.forEach !== undefined) {
    input.errors.push(
      new LoadError('a step takes repeat or forEach, not both', {
        code: 'E_STEP',
        location: input.source.locate([...input.at, 'forEach'], 'key'),
      }),
    );
  } else if (raw.repeat !== undefined) {
    flow.loop = parseRepeat(raw.repeat, input);
    loopNames.push(ITERATION);
  } else if (raw.forEach !== undefined) {
    flow.loop = parseForEach(raw.forEach as Record<string, unknown>, input);
    loopNames.push(ITERATION, flow.loop.as!);
  }
  // A condition sees the loop's names: it is evaluated for each iteration.
  if (raw.when !== undefined)
    flow.when = parseCondition(
      raw.when,
      [...input.at, 'when'],
      input.source,
      loopNames.length ? input.known.child(loopNames) : input.known,
      input.errors,
    );
  return { flow, loopNames };
}

/** `when:` of a step, include or scenario: a literal boolean or one `{{expression}}`. */
export function parseCondition(
  value: unknown,
  at: Path,
  source: YamlSource,
  known: KnownNames,
  errors: FlowrunError[],
): ConditionSpec {
  const location = source.locate(at);
  if (typeof value === 'boolean') return { expr: value, location };
  const text = String(value).trim();
  if (!singleExpression.test(text)) {
    errors.push(
      new LoadError(`when must be one {{expression}} giving true or false, not "${text}"`, {
        code: 'E_CONDITION',
        location,
        hint: 'e.g. when: "{{gt articlesCount 0}}" or when: "{{eq last.status 200}}"',
      }),
    );
  } else checkTemplates([[text, at]], source, known, errors);
  return { expr: text, location };
}

function parseRepeat(value: unknown, input: FlowInput): LoopSpec {
  const at = [...input.at, 'repeat'];
  const location = input.source.locate(at, 'key');
  if (typeof value === 'number' || typeof value === 'string') {
    if (typeof value === 'string') checkTemplates([[value, at]], input.source, input.known, input.errors);
    return { times: value, location };
  }
  const spec = value as { times?: number | string; until?: Record<string, unknown>; interval?: unknown };
  if (typeof spec.times === 'string')
    checkTemplates([[spec.times, [...at, 'times']]], input.source, input.known, input.errors);
  if (spec.until !== undefined) {
    if (input.isInclude)
      input.errors.push(
        new LoadError('repeat.until needs a single step: put it on the step whose output it checks', {
          code: 'E_STEP',
          location: input.source.locate([...at, 'until'], 'key'),
        }),
      );
    if (input.raw.poll !== undefined)
      input.errors.push(
        new LoadError(
          'repeat.until and poll cannot be combined: poll repeats until a deadline, repeat up to a count',
          {
            code: 'E_STEP',
            location: input.source.locate([...at, 'until'], 'key'),
          },
        ),
      );
    checkTemplates(
      [[spec.until, [...at, 'until']]],
      input.source,
      input.known.child([ITERATION]),
      input.errors,
    );
  }
  const intervalMs = parseDuration(spec.interval);
  return { times: spec.times, until: spec.until, ...(intervalMs ? { intervalMs } : {}), location };
}

function parseForEach(value: Record<string, unknown>, input: FlowInput): LoopSpec {
  const at = [...input.at, 'forEach'];
  const location = input.source.locate(at, 'key');
  const as = typeof value.as === 'string' ? value.as : 'item';
  if (!identifier.test(as) || as === ITERATION) {
    input.errors.push(
      new LoadError(
        `forEach.as must be a plain name (letters, digits, _) other than "${ITERATION}", not "${as}"`,
        { code: 'E_STEP', location: input.source.locate([...at, 'as']) },
      ),
    );
  }
  let items = value.items;
  if (items && typeof items === 'object' && !Array.isArray(items) && 'file' in items) {
    const rel = String((items as { file: unknown }).file);
    const file = path.resolve(path.dirname(path.resolve(input.cwd, input.source.file)), rel);
    const display = path.relative(input.cwd, file);
    try {
      items = readDataRows(
        file,
        display.startsWith('..') ? file : display,
        input.source.locate([...at, 'items', 'file']),
      );
    } catch (error) {
      input.errors.push(error as FlowrunError);
      items = [];
    }
  } else if (typeof items === 'string') {
    if (!singleExpression.test(items.trim()))
      input.errors.push(
        new LoadError(`forEach.items must be a list, one {{expression}} giving a list, or { file: ... }`, {
          code: 'E_STEP',
          location: input.source.locate([...at, 'items']),
        }),
      );
    else checkTemplates([[items, [...at, 'items']]], input.source, input.known, input.errors);
  } else if (Array.isArray(items)) {
    checkTemplates([[items, [...at, 'items']]], input.source, input.known, input.errors);
  }
  return { items, as, location };
}
