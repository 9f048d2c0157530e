import { show } from '../assert/matchers.js';
import { StepError } from '../errors.js';
import { renderString, renderValue, templateRoots, type Scope } from '../template/render.js';
import type { ConditionSpec, LoopSpec, StepSpec } from '../types.js';

/** The name of the current iteration (0-based) inside `repeat:` and `forEach:`. */
export const ITERATION = 'iteration';

/** Every step of a list, groups opened (requirements, mock locks, skipping a whole group). */
export function* flatSteps(steps: StepSpec[]): Generator<StepSpec> {
  for (const s of steps) {
    if (s.group) yield* flatSteps(s.group);
    else yield s;
  }
}

/** Evaluates a `when:` condition; anything but a boolean is an error located at the condition. */
export function conditionHolds(cond: ConditionSpec, scope: Scope): boolean {
  if (typeof cond.expr === 'boolean') return cond.expr;
  let value: unknown;
  try {
    value = renderString(cond.expr, scope);
  } catch (error) {
    throw new StepError(`when: ${(error as Error).message}`, {
      code: 'E_CONDITION',
      location: cond.location,
    });
  }
  if (typeof value !== 'boolean')
    throw new StepError(
      `when "${cond.expr}" must give true or false, got ${show(value)}: use a comparison such as {{gt x 0}} or {{eq x "y"}}`,
      { code: 'E_CONDITION', location: cond.location },
    );
  return value;
}

export const conditionReason = (cond: ConditionSpec): string =>
  `condition not met: when ${typeof cond.expr === 'boolean' ? String(cond.expr) : cond.expr}`;

/**
 * What a loop runs over: a count for `repeat: N`, a list for `forEach:`. Templates are rendered in
 * the current scope; a wrong type is an error located at the loop.
 */
export function loopItems(loop: LoopSpec, scope: Scope): number | unknown[] {
  if (loop.as === undefined) {
    const n = typeof loop.times === 'string' ? renderOrFail(loop.times, scope, loop, 'repeat') : loop.times;
    const count = typeof n === 'string' && n.trim() !== '' ? Number(n) : n;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0)
      throw new StepError(`repeat must be a whole number >= 0, got ${show(n)}`, {
        code: 'E_LOOP',
        location: loop.location,
      });
    return count;
  }
  const items = renderOrFail(loop.items, scope, loop, 'forEach.items');
  if (!Array.isArray(items))
    throw new StepError(`forEach.items must give a list, got ${show(items)}`, {
      code: 'E_LOOP',
      location: loop.location,
    });
  return items;
}

function renderOrFail(value: unknown, scope: Scope, loop: LoopSpec, what: string): unknown {
  try {
    return renderValue(value, scope);
  } catch (error) {
    throw new StepError(`${what}: ${(error as Error).message}`, { code: 'E_LOOP', location: loop.location });
  }
}

/** How an iteration is named in reports: `[2/5]` for repeat (1-based), `[product=SKU-1]` for forEach. */
export function iterationLabel(loop: LoopSpec, index: number, count: number, item: unknown): string {
  if (loop.as === undefined) return ` [${index + 1}/${count}]`;
  let text = typeof item === 'string' ? item : JSON.stringify(item);
  if (item && typeof item === 'object' && !Array.isArray(item) && 'name' in item)
    text = String((item as { name: unknown }).name);
  if (text.length > 40) text = `${text.slice(0, 37)}...`;
  return ` [${loop.as}=${text}]`;
}

const rootsOf = new WeakMap<StepSpec, Set<string>>();

/** The root names a step's templates read (only asked after a failure left captures unset). */
export function stepRoots(step: StepSpec): Set<string> {
  let roots = rootsOf.get(step);
  if (!roots) {
    roots = new Set();
    const add = roots;
    const walk = (v: unknown): void => {
      if (typeof v === 'string') {
        if (!v.includes('{{')) return;
        try {
          for (const r of templateRoots(v)) add.add(r);
        } catch {
          // A syntax error was reported at load time.
        }
      } else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk([step.name, step.config, step.expect, step.skip, step.poll?.until, step.includeInputs]);
    const flow = step.flow;
    if (flow) walk([flow.when?.expr, flow.loop?.times, flow.loop?.items, flow.loop?.until]);
    for (const inner of step.group ?? []) for (const r of stepRoots(inner)) add.add(r);
    rootsOf.set(step, roots);
  }
  return roots;
}
