import { InterruptedError } from '../errors.js';
import type { Screen } from '../types.js';

/**
 * First Ctrl-C / SIGTERM: stop starting scenarios, abort in-flight work, run teardowns, write
 * reports, exit 130. Second: exit at once (services are still killed by their exit hooks).
 */
export function installInterruptHandler(screen: Screen): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let count = 0;
  const onSignal = (name: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      screen.err(
        `\n${name}: stopping — running teardown and writing reports (press Ctrl-C again to exit now)`,
      );
      controller.abort(new InterruptedError(`interrupted by ${name}`));
    } else {
      screen.err(`${name} again: exiting now`);
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
