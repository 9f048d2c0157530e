import type { Reporter, RunError, RunInfo, ScenarioResult, StepResult } from '../types.js';
import { Masker } from '../util/mask.js';

/**
 * The engine's event boundary. Every event leaves the engine through here, masked once (the
 * secrets of the environments activated so far), before the injected reporter sees it; the
 * engine keeps the masked copies, so a run result never holds a secret either. The reporter is
 * usually report/multiplexer.ts, which fans out to the configured reporters.
 */
export class RunEvents {
  private masker = new Masker([]);
  private readonly secrets = new Set<string>();

  constructor(private readonly sink: Reporter) {}

  /** Adds values to mask from now on (an environment's secrets, once it is activated). */
  addSecrets(values: Iterable<string>): void {
    const before = this.secrets.size;
    for (const v of values) this.secrets.add(v);
    if (this.secrets.size !== before) this.masker = new Masker(this.secrets);
  }

  maskText(text: string): string {
    return this.masker.string(text);
  }

  async begin(info: RunInfo): Promise<void> {
    await this.sink.onBegin?.(info);
  }

  scenarioBegin(s: { id: string; name: string; environment: string; file: string }): void {
    // Masked like the scenario's end, so a reporter pairs them by id (a secret inside a file
    // name changed the id at the end only) and a live status line shows no secret.
    this.sink.onScenarioBegin?.(this.masker.value(s));
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
