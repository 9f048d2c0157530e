import path from 'node:path';
import { jsonPathProblem } from '../assert/jsonpath.js';
import { regexProblem } from '../assert/regex.js';
import { flatSteps } from '../engine/control-flow.js';
import { FlowrunError, LoadError } from '../errors.js';
import { stepKinds } from '../steps/registry.js';
import type { Location, Phase, PollSpec, StepFlow, StepSpec } from '../types.js';
import { parseDuration } from '../util/time.js';
import { checkExpect } from './check-expect.js';
import { checkTemplates, type KnownNames } from './check-templates.js';
import { parseStepFlow } from './control-flow.js';
import { suggest, validateSource } from './validate.js';
import { readYamlFile, type YamlSource } from './yaml-source.js';

type Path = (string | number)[];

/** State shared while loading one run's files. */
export interface LoadState {
  cwd: string;
  errors: FlowrunError[];
  /** Every source read, by display name (for code frames). */
  sources: Map<string, YamlSource>;
  flows: Map<string, YamlSource | null>;
}

export const displayName = (cwd: string, file: string): string => {
  const rel = path.relative(cwd, file);
  return rel.startsWith('..') ? file : rel;
};

interface StepsInput {
  items: unknown[];
  at: Path;
  source: YamlSource;
  phase: Phase;
  known: KnownNames;
  includeStack: string[];
  includedFrom?: Location[];
  includeInputs?: Record<string, unknown>[];
}

/** Turns a list of raw steps into StepSpecs, expanding includes; errors go to state.errors. */
export function normalizeSteps(input: StepsInput, state: LoadState): StepSpec[] {
  const out: StepSpec[] = [];
  for (let i = 0; i < input.items.length; i++) {
    const raw = input.items[i] as Record<string, unknown>;
    const at = [...input.at, i];
    const location = input.source.locate(at);
    const { flow, loopNames } = parseStepFlow({
      raw,
      at,
      source: input.source,
      known: input.known,
      errors: state.errors,
      cwd: state.cwd,
      isInclude: typeof raw.include === 'string',
    });
    if (typeof raw.include === 'string') {
      out.push(...includeWithFlow(raw, at, location, input, state, flow, loopNames));
      continue;
    }
    const kinds = Object.keys(raw).filter((k) => Object.prototype.hasOwnProperty.call(stepKinds, k));
    if (kinds.length !== 1) {
      state.errors.push(
        new LoadError(
          kinds.length === 0
            ? `step has no action: it needs one of ${[...Object.keys(stepKinds), 'include'].join(', ')}`
            : `step has several actions (${kinds.join(', ')}): split it into one step each`,
          { code: 'E_STEP', location },
        ),
      );
      continue;
    }
    const kindName = kinds[0];
    const kind = stepKinds[kindName];
    const config = raw[kindName];
    for (const issue of kind.check?.(config) ?? []) {
      state.errors.push(
        new LoadError(issue.message, {
          code: 'E_STEP',
          location: input.source.locate([...at, kindName, ...issue.path]),
        }),
      );
    }
    checkSelectors(raw, at, input.source, state.errors);
    const keyLocations = stepKeyLocations(raw, at, kindName, input.source);
    if ((raw.expect as { iterations?: unknown } | undefined)?.iterations !== undefined && !flow?.loop)
      state.errors.push(
        new LoadError('expect.iterations needs repeat: or forEach: on the step', {
          code: 'E_STEP',
          location: input.source.locate([...at, 'expect', 'iterations'], 'key'),
        }),
      );
    const skip = raw.skip === true ? 'skipped' : typeof raw.skip === 'string' ? raw.skip : undefined;
    const literal = new Set(kind.literalKeys ?? []);
    const templated: [unknown, Path][] = [];
    if (config && typeof config === 'object') {
      for (const [k, v] of Object.entries(config))
        if (!literal.has(k)) templated.push([v, [...at, kindName, k]]);
    }
    if (typeof raw.name === 'string') templated.push([raw.name, [...at, 'name']]);
    const poll = raw.poll as Record<string, unknown> | undefined;
    if (poll?.until) templated.push([poll.until, [...at, 'poll', 'until']]);
    if (typeof raw.skip === 'string' && raw.skip.includes('{{')) templated.push([raw.skip, [...at, 'skip']]);
    const known = loopNames.length ? input.known.child(loopNames) : input.known;
    if (!skip || skip.includes('{{')) {
      checkTemplates(templated, input.source, known, state.errors);
      if (raw.expect)
        checkTemplates(
          [[raw.expect, [...at, 'expect']]],
          input.source,
          known,
          state.errors,
          kind.expectNames,
        );
    }
    checkExpect(raw.expect, [...at, 'expect'], input.source, state.cwd, state.errors);
    if (poll?.until) checkExpect(poll.until, [...at, 'poll', 'until'], input.source, state.cwd, state.errors);
    const step: StepSpec = {
      name: typeof raw.name === 'string' ? raw.name : kind.describe(config ?? {}),
      kind: kindName,
      config,
      expect: raw.expect as Record<string, unknown> | undefined,
      capture: raw.capture as Record<string, unknown> | undefined,
      poll: poll ? normalizePoll(poll, input.source.locate([...at, 'poll'], 'key')) : undefined,
      skip,
      location,
      keyLocations,
      includedFrom: input.includedFrom,
      includeInputs: input.includeInputs,
      timeoutMs: parseDuration(raw.timeout),
      ...(raw.contract === false
        ? { contract: false as const }
        : raw.contract && typeof raw.contract === 'object'
          ? { contract: raw.contract as { requests?: boolean } }
          : {}),
    };
    if (flow) step.flow = flow;
    if (step.capture) for (const name of Object.keys(step.capture)) input.known.add(name);
    out.push(step);
  }
  return out;
}

/**
 * JSONPath and regular expressions in expect, poll.until and capture are checked when the files
 * are loaded: a typo is a located error before anything runs, not a failure at run time.
 */
function checkSelectors(raw: Record<string, unknown>, at: Path, source: YamlSource, errors: FlowrunError[]) {
  const path = (p: string, where: Path) => {
    if (p.includes('{{')) return;
    const problem = jsonPathProblem(p);
    if (problem)
      errors.push(
        new LoadError(`invalid JSONPath ${p}: ${problem}`, {
          code: 'E_JSONPATH',
          location: source.locate(where, 'key'),
        }),
      );
  };
  const regex = (r: unknown, where: Path) => {
    if (typeof r === 'string' && r.includes('{{')) return;
    const problem = regexProblem(r);
    if (problem)
      errors.push(
        new LoadError(`invalid regex: ${problem}`, { code: 'E_REGEX', location: source.locate(where) }),
      );
  };
  const expectations = (block: unknown, where: Path) => {
    if (!block || typeof block !== 'object' || Array.isArray(block)) return;
    for (const [k, v] of Object.entries(block)) {
      if (k.startsWith('$')) path(k, [...where, k]);
      else if (k === 'regex') {
        const list = Array.isArray(v) ? v : [v];
        list.forEach((item, i) => {
          if (item && typeof item === 'object' && 'regex' in item)
            regex(item.regex, Array.isArray(v) ? [...where, k, i, 'regex'] : [...where, k, 'regex']);
        });
      } else if (v && typeof v === 'object' && !Array.isArray(v)) {
        for (const sub of Object.keys(v)) if (sub.startsWith('$')) path(sub, [...where, k, sub]);
      }
    }
  };
  expectations(raw.expect, [...at, 'expect']);
  const poll = raw.poll as Record<string, unknown> | undefined;
  if (poll) expectations(poll.until, [...at, 'poll', 'until']);
  if (raw.capture && typeof raw.capture === 'object') {
    for (const [name, how] of Object.entries(raw.capture)) {
      if (typeof how === 'string' && how.startsWith('$')) {
        if (!how.includes('{{') && jsonPathProblem(how))
          errors.push(
            new LoadError(`invalid JSONPath ${how}: ${jsonPathProblem(how)}`, {
              code: 'E_JSONPATH',
              location: source.locate([...at, 'capture', name]),
            }),
          );
      } else if (how && typeof how === 'object') {
        const h = how as Record<string, unknown>;
        if (typeof h.path === 'string' && !h.path.includes('{{') && jsonPathProblem(h.path))
          errors.push(
            new LoadError(`invalid JSONPath ${h.path}: ${jsonPathProblem(h.path)}`, {
              code: 'E_JSONPATH',
              location: source.locate([...at, 'capture', name, 'path']),
            }),
          );
        if ('regex' in h) regex(h.regex, [...at, 'capture', name, 'regex']);
      }
    }
  }
}

function normalizePoll(poll: Record<string, unknown>, location: Location): PollSpec {
  return {
    until: poll.until as Record<string, unknown> | undefined,
    intervalMs: parseDuration(poll.interval) ?? 1000,
    timeoutMs: parseDuration(poll.timeout) ?? 30_000,
    location,
  };
}

/** Locations of the keys reporters and assertions point at. */
function stepKeyLocations(
  raw: Record<string, unknown>,
  at: Path,
  kind: string,
  source: YamlSource,
): Record<string, Location> {
  const locs: Record<string, Location> = { config: source.locate([...at, kind], 'key') };
  if (typeof raw.skip === 'string') locs.skip = source.locate([...at, 'skip']);
  const add = (prefix: string, p: Path, value: unknown, depth: number) => {
    if (!value || typeof value !== 'object' || Array.isArray(value) || depth === 0) return;
    for (const [k, v] of Object.entries(value)) {
      locs[`${prefix}.${k}`] = source.locate([...p, k], 'key');
      add(`${prefix}.${k}`, [...p, k], v, depth - 1);
    }
  };
  add('expect', [...at, 'expect'], raw.expect, 2);
  add('capture', [...at, 'capture'], raw.capture, 1);
  const poll = raw.poll as Record<string, unknown> | undefined;
  if (poll) add('poll.until', [...at, 'poll', 'until'], poll.until, 2);
  const repeat = raw.repeat as Record<string, unknown> | undefined;
  if (repeat?.until) add('repeat.until', [...at, 'repeat', 'until'], repeat.until, 2);
  add('config', [...at, kind], raw[kind], 1);
  return locs;
}

/**
 * An include as steps: plain, or (with `when`, `repeat` or `forEach`) one group that runs its
 * steps together. `continueOnFailure` applies to every step of the flow.
 */
function includeWithFlow(
  raw: Record<string, unknown>,
  at: Path,
  location: Location,
  input: StepsInput,
  state: LoadState,
  flow: StepFlow | undefined,
  loopNames: string[],
): StepSpec[] {
  const known = loopNames.length ? input.known.child(loopNames) : input.known;
  const steps = expandInclude(raw, at, location, { ...input, known }, state);
  if (known !== input.known)
    for (const s of flatSteps(steps)) for (const name of Object.keys(s.capture ?? {})) input.known.add(name);
  if (!flow) return steps;
  if (flow.continueOnFailure)
    for (const s of flatSteps(steps)) s.flow = { ...s.flow, continueOnFailure: true };
  if (!flow.when && !flow.loop) return steps;
  return [
    {
      name: typeof raw.name === 'string' ? raw.name : `include ${String(raw.include)}`,
      kind: 'include',
      config: undefined,
      location,
      keyLocations: {},
      ...(input.includedFrom ? { includedFrom: input.includedFrom } : {}),
      ...(input.includeInputs ? { includeInputs: input.includeInputs } : {}),
      flow,
      group: steps,
    },
  ];
}

function expandInclude(
  raw: Record<string, unknown>,
  at: Path,
  location: Location,
  input: StepsInput,
  state: LoadState,
): StepSpec[] {
  const fromDir = path.dirname(path.resolve(state.cwd, input.source.file));
  const file = path.resolve(fromDir, raw.include as string);
  const includeLoc = input.source.locate([...at, 'include']);
  if (input.includeStack.includes(file)) {
    const chain = [...input.includeStack, file].map((f) => displayName(state.cwd, f)).join(' -> ');
    state.errors.push(new LoadError(`include cycle: ${chain}`, { code: 'E_INCLUDE', location: includeLoc }));
    return [];
  }
  const flow = loadFlow(file, includeLoc, state);
  if (!flow) return [];
  const data = flow.data as { inputs?: Record<string, unknown>; steps: unknown[] };
  const given = (raw.with ?? {}) as Record<string, unknown>;
  const declared = data.inputs ?? {};
  const inputs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(declared)) if (v !== null && v !== undefined) inputs[k] = v;
  Object.assign(inputs, given);
  let ok = true;
  if (data.inputs) {
    for (const k of Object.keys(given)) {
      if (!(k in declared)) {
        const guess = suggest(k, Object.keys(declared));
        state.errors.push(
          new LoadError(`${flow.file} has no input "${k}"`, {
            code: 'E_INCLUDE',
            location: input.source.locate([...at, 'with', k], 'key'),
            hint: guess
              ? `did you mean "${guess}"?`
              : `its inputs: ${Object.keys(declared).join(', ') || 'none'}`,
          }),
        );
        ok = false;
      }
    }
    for (const [k, v] of Object.entries(declared)) {
      if ((v === null || v === undefined) && !(k in given)) {
        state.errors.push(
          new LoadError(`include of ${flow.file} is missing the input "${k}"`, {
            code: 'E_INCLUDE',
            location,
            hint: `add it under with:`,
          }),
        );
        ok = false;
      }
    }
  }
  checkTemplates([[given, [...at, 'with']]], input.source, input.known, state.errors);
  if (!ok) return [];
  // Inside the flow, its inputs are names too; its captures become the caller's.
  const flowKnown = input.known.child(Object.keys(inputs));
  const steps = normalizeSteps(
    {
      items: data.steps,
      at: ['steps'],
      source: flow,
      phase: input.phase,
      known: flowKnown,
      includeStack: [...input.includeStack, file],
      includedFrom: [...(input.includedFrom ?? []), location],
      includeInputs: [...(input.includeInputs ?? []), inputs],
    },
    state,
  );
  for (const s of steps) for (const name of Object.keys(s.capture ?? {})) input.known.add(name);
  return steps;
}

function loadFlow(file: string, includeLoc: Location, state: LoadState): YamlSource | null {
  if (state.flows.has(file)) return state.flows.get(file)!;
  const name = displayName(state.cwd, file);
  let result: YamlSource | null = null;
  try {
    const source = readYamlFile(file, name);
    const errors = validateSource(source, 'flow');
    state.errors.push(...errors);
    result = errors.length ? null : source;
  } catch (error) {
    if (error instanceof LoadError && error.code === 'E_READ') {
      state.errors.push(
        new LoadError(`included flow not found: ${name}`, { code: 'E_INCLUDE', location: includeLoc }),
      );
    } else state.errors.push(error as FlowrunError);
  }
  state.flows.set(file, result);
  return result;
}
