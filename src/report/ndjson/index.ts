import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { ensureDir } from '../../util/files.js';
import type { Reporter, ReporterFactory } from '../../types.js';
import { EVENTS_VERSION, type RunEvent } from './events.js';

export const NDJSON_FILE = 'flowrun.ndjson';

/**
 * Writes `<out>/flowrun.ndjson`: one JSON event per line as the run goes (begin, scenarioBegin,
 * stepEnd, scenarioEnd, error, end). Shards write it; `flowrun merge` replays it into any reporter.
 * Lines are streamed (to a temp file beside it, renamed at the end like every report file) rather
 * than buffered, so a crashed run still leaves what it finished in `flowrun.ndjson.<pid>.<id>.tmp`
 * and two runs with the same `-o` never interleave their lines.
 */
export const createReporter: ReporterFactory = (options) => {
  const file = path.join(options.outDir, NDJSON_FILE);
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
  let stream: WriteStream | undefined;
  let failure: Error | undefined;
  const write = (event: RunEvent) => {
    stream?.write(`${JSON.stringify(event)}\n`);
  };
  const reporter: Reporter & { name: string } = {
    name: 'ndjson',
    async onBegin(info) {
      await ensureDir(options.outDir);
      stream = createWriteStream(temp, { flags: 'wx', encoding: 'utf8' });
      stream.on('error', (error) => (failure = error));
      write({ type: 'begin', v: EVENTS_VERSION, info });
    },
    onScenarioBegin(scenario) {
      write({ type: 'scenarioBegin', scenario });
    },
    onStepEnd(scenario, step) {
      write({ type: 'stepEnd', scenario, step });
    },
    onScenarioEnd(result) {
      write({ type: 'scenarioEnd', result });
    },
    onError(error) {
      write({ type: 'error', error });
    },
    async onEnd(result) {
      const { scenarios: _omitted, ...rest } = result;
      write({ type: 'end', result: rest });
      const s = stream;
      stream = undefined;
      if (s) await new Promise<void>((resolve) => s.end(resolve));
      if (failure) {
        await rm(temp, { force: true });
        throw new Error(`writing ${file}: ${failure.message}`);
      }
      await rename(temp, file);
    },
  };
  return reporter;
};
