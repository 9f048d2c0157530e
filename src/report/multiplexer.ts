import type { Reporter, RunInfo, RunResult, ScenarioResult, StepResult } from '../types.js';
import { Masker } from './mask.js';

/**
 * Fans run events out to every reporter. Secrets are masked here, once, before any reporter
 * sees the data; a reporter that throws becomes a run error instead of a crash.
 */
export class Multiplexer {
  private masker = new Masker([]);
  readonly errors: { message: string }[] = [];

  /** Whether any reporter listens to steps (masking a step nobody reads is skipped). */
  private readonly stepListeners: boolean;

  constructor(private readonly reporters: Reporter[]) {
    this.stepListeners = reporters.some((r) => typeof r.onStepEnd === 'function');
  }

  private secrets = new Set<string>();

  setSecrets(secrets: Iterable<string>): void {
    this.secrets = new Set(secrets);
    this.masker = new Masker(this.secrets);
  }

  /** A secret learnt during the run (a captured cookie): masked in every event from now on. */
  addSecret(secret: string): void {
    if (this.secrets.has(secret)) return;
    this.secrets.add(secret);
    this.masker = new Masker(this.secrets);
  }

  mask<T>(value: T): T {
    return this.masker.value(value);
  }

  maskText(text: string): string {
    return this.masker.string(text);
  }

  async begin(info: RunInfo): Promise<void> {
    for (const r of this.reporters) await this.guard(r, 'onBegin', () => r.onBegin?.(info));
  }

  scenarioBegin(s: { id: string; name: string; environment: string; file: string }): void {
    for (const r of this.reporters) void this.guard(r, 'onScenarioBegin', () => r.onScenarioBegin?.(s));
  }

  stepEnd(scenario: { id: string; environment: string }, step: StepResult): StepResult {
    if (!this.stepListeners) return step;
    const masked = this.mask(step);
    for (const r of this.reporters) void this.guard(r, 'onStepEnd', () => r.onStepEnd?.(scenario, masked));
    return masked;
  }

  /** Masks the result, hands it to every reporter, and returns the masked copy (the one to keep). */
  scenarioEnd(result: ScenarioResult): ScenarioResult {
    const masked = this.mask(result);
    for (const r of this.reporters) void this.guard(r, 'onScenarioEnd', () => r.onScenarioEnd?.(masked));
    return masked;
  }

  error(error: { message: string; location?: RunResult['errors'][number]['location'] }): void {
    const masked = { ...error, message: this.maskText(error.message) };
    for (const r of this.reporters) void this.guard(r, 'onError', () => r.onError?.(masked));
  }

  async end(result: RunResult): Promise<void> {
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
