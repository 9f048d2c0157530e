import type { Reporter, RunError, RunInfo, ScenarioResult, StepResult } from '../types.js';
import { Masker } from '../util/mask.js';

/**
 * The engine's event boundary. Every event leaves the engine through here, masked once (the
 * secrets of the environments activated so far), before the injected reporter sees it; the
 * engine keeps the masked copies, so a run result never holds a secret either. The reporter is
 * usually report/multiplexer.ts, which fans out to the configured reporters.
 */
export class RunEvents {
  private readonly masker = new Masker([]);

  constructor(private readonly sink: Reporter) {}

  /**
   * Adds values to mask from now on (an environment's secrets once it is activated, a cookie or a
   * `secret: true` capture as soon as a step captures it).
   */
  addSecrets(values: Iterable<string>): void {
    this.masker.add(values);
  }

  maskText(text: string): string {
    return this.masker.string(text);
  }

  async begin(info: RunInfo): Promise<void> {
    await this.sink.onBegin?.(info);
  }

  scenarioBegin(s: { id: string; name: string; environment: string; file: string }): void {
    // Identity fields (id, name, environment, file) are never masked (util/mask.ts), at the
    // scenario's end either, so a reporter pairs begin and end by id.
    this.sink.onScenarioBegin?.(s);
  }

  /** A step ended; masked only when the reporter listens to steps (the scenario's end masks it anyway). */
  stepEnd(scenario: { id: string; environment: string }, step: StepResult): void {
    if (typeof this.sink.onStepEnd !== 'function') return;
    this.sink.onStepEnd(scenario, this.masker.value(step));
  }

  /** A scenario ended: returns the masked result, the copy to keep. */
  scenarioEnd(result: ScenarioResult): ScenarioResult {
    const masked = this.masker.value(result);
    this.sink.onScenarioEnd?.(masked);
    return masked;
  }

  /** A run error: returns the masked error, the copy to keep. */
  error(error: RunError): RunError {
    const masked = { ...error, message: this.maskText(error.message) };
    this.sink.onError?.(masked);
    return masked;
  }
}
