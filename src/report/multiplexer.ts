import type { Reporter, RunError, RunInfo, RunResult, ScenarioResult, StepResult } from '../types.js';

/**
 * Fans run events out to every reporter; it is itself a Reporter, the one the engine is given.
 * Events arrive masked (the engine masks secrets at its event boundary, engine/events.ts). A
 * reporter that throws or rejects becomes a run error (`errors`) instead of a crash, and the
 * other reporters still get the event.
 */
export class Multiplexer implements Reporter {
  /** Reporters that failed, as run errors (the caller adds them to the run's result). */
  readonly errors: { message: string }[] = [];

  /** Absent when no reporter listens to steps, so the engine does not mask steps nobody reads. */
  readonly onStepEnd?: (scenario: { id: string; environment: string }, step: StepResult) => void;

  constructor(private readonly reporters: Reporter[]) {
    if (reporters.some((r) => typeof r.onStepEnd === 'function')) {
      this.onStepEnd = (scenario, step) => {
        for (const r of this.reporters) void this.guard(r, 'onStepEnd', () => r.onStepEnd?.(scenario, step));
      };
    }
  }

  async onBegin(info: RunInfo): Promise<void> {
    for (const r of this.reporters) await this.guard(r, 'onBegin', () => r.onBegin?.(info));
  }

  onScenarioBegin(s: { id: string; name: string; environment: string; file: string }): void {
    for (const r of this.reporters) void this.guard(r, 'onScenarioBegin', () => r.onScenarioBegin?.(s));
  }

  onScenarioEnd(result: ScenarioResult): void {
    for (const r of this.reporters) void this.guard(r, 'onScenarioEnd', () => r.onScenarioEnd?.(result));
  }

  onError(error: RunError): void {
    for (const r of this.reporters) void this.guard(r, 'onError', () => r.onError?.(error));
  }

  async onEnd(result: RunResult): Promise<void> {
    for (const r of this.reporters) await this.guard(r, 'onEnd', () => r.onEnd?.(result));
  }

  /** Calls a reporter hook; a throw or a rejection becomes a run error. Synchronous hooks stay synchronous. */
  private guard(r: Reporter, method: string, fn: () => unknown): Promise<void> | undefined {
    try {
      const out = fn();
      if (out && typeof (out as Promise<unknown>).then === 'function')
        return (out as Promise<unknown>).then(
          () => undefined,
          (error: unknown) => this.failed(r, method, error),
        );
    } catch (error) {
      this.failed(r, method, error);
    }
    return undefined;
  }

  private failed(r: Reporter, method: string, error: unknown): void {
    const name = (r as { name?: string }).name ?? r.constructor?.name ?? 'reporter';
    this.errors.push({ message: `reporter ${name} failed in ${method}: ${(error as Error).message}` });
  }
}
