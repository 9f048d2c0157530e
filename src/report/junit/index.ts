import path from 'node:path';
import type { Reporter, ReporterFactory } from '../../types.js';
import { writeFileAtomically as writeReportFile } from '../../util/files.js';
import { buildJUnit } from './build.js';

/** `-r junit`: `<outDir>/junit.xml`, one file for Jenkins, GitLab and GitHub test-report actions. */
export const createReporter: ReporterFactory = (options): Reporter => ({
  async onEnd(result) {
    await writeReportFile(path.resolve(options.cwd, options.outDir, 'junit.xml'), buildJUnit(result));
  },
});

export { buildJUnit, classname } from './build.js';
