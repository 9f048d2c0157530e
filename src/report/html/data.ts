import { diffJson, diffLines } from 'diff';
import type { MatrixModel } from '../../matrix/model.js';
import { normalizePoint } from '../../matrix/load.js';
import type { AssertionResult, RunResult, ScenarioResult, StepResult } from '../../types.js';
import { fileLine, firstFailure, redactExchange, where } from '../format/index.js';

/** A line of a diff: `+` only in actual, `-` only in expected, ` ` both. */
export type DiffLine = [op: '+' | '-' | ' ', text: string];

/** What the page embeds: the run, the matrix and compact scenarios (details built in the browser on demand). */
export interface HtmlData {
  run: Omit<RunResult, 'scenarios' | 'matrix'>;
  matrix: MatrixModel | null;
  scenarios: HtmlScenario[];
}

export interface HtmlScenario {
  i: number;
  id: string;
  name: string;
  file: string;
  where: string;
  env: string;
  tags: string[];
  covers: string[];
  params: Record<string, unknown>;
  status: string;
  skipReason?: string;
  startedAt: string;
  durationMs: number;
  attempts: number;
  failure?: { message: string; where: string };
  error?: string;
  steps: (Omit<StepResult, 'assertions'> & { assertions: (AssertionResult & { diff?: DiffLine[] })[] })[];
}

/** A diff is worth showing when either side spans lines (objects, arrays, long text). */
function diffOf(a: AssertionResult): DiffLine[] | undefined {
  if (a.passed) return undefined;
  const structured = (v: unknown) => typeof v === 'object' && v !== null;
  const multiline = (v: unknown) => typeof v === 'string' && v.includes('\n');
  let parts;
  if (structured(a.expected) || structured(a.actual)) {
    parts = diffJson((a.expected ?? null) as object, (a.actual ?? null) as object);
  } else if (multiline(a.expected) || multiline(a.actual)) {
    parts = diffLines(String(a.expected), String(a.actual));
  } else {
    return undefined;
  }
  const out: DiffLine[] = [];
  for (const p of parts) {
    const op = p.added ? '+' : p.removed ? '-' : ' ';
    for (const line of p.value.replace(/\n$/, '').split('\n')) out.push([op, line]);
  }
  return out;
}

function scenario(s: ScenarioResult, i: number): HtmlScenario {
  const f = firstFailure(s);
  const out: HtmlScenario = {
    i,
    id: s.id,
    name: s.name,
    file: s.file,
    where: fileLine(s.location),
    env: s.environment,
    tags: s.tags,
    covers: s.covers.map(normalizePoint),
    params: s.parameters,
    status: s.status,
    startedAt: s.startedAt,
    durationMs: s.durationMs,
    attempts: s.attempts,
    steps: s.steps.map((step) => ({
      ...step,
      // Defence in depth: credentials never reach the page even if masking upstream missed them.
      ...(step.exchange ? { exchange: redactExchange(step.exchange) } : {}),
      assertions: step.assertions.map((a) => {
        const diff = diffOf(a);
        return diff ? { ...a, diff } : a;
      }),
    })),
  };
  if (s.skipReason) out.skipReason = s.skipReason;
  if (f) out.failure = { message: f.message, where: where(f.location) };
  if (s.error) out.error = s.error.message;
  return out;
}

export function htmlData(result: RunResult, matrix: MatrixModel | undefined): HtmlData {
  const { scenarios, matrix: _carried, ...run } = result;
  return { run, matrix: matrix ?? null, scenarios: scenarios.map(scenario) };
}

/**
 * JSON that is safe inside `<script type="application/json">`: every `<` escaped (so no
 * `</script>` or `<!--` can end the block early) and the two line separators JavaScript
 * historically treated as newlines.
 */
export const embedJson = (value: unknown): string =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
