import path from 'node:path';
import type { Reporter, ReporterFactory } from '../../types.js';
import { writeReportFile } from '../write-file.js';

/** Writes `<out>/flowrun.json`: the whole run result (also after an interruption). */
export const createReporter: ReporterFactory = (options) => {
  const file = path.join(options.outDir, 'flowrun.json');
  const reporter: Reporter = {
    async onEnd(result) {
      await writeReportFile(file, JSON.stringify(result, null, 2) + '\n');
    },
  };
  return reporter;
};
