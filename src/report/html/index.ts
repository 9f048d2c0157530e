import path from 'node:path';
import { loadReporterMatrix, matrixForJson } from '../../matrix/report-data.js';
import type { Reporter, ReporterFactory } from '../../types.js';
import { writeFileAtomically as writeReportFile } from '../../util/files.js';
import { renderHtml } from './page.js';

/** `-r html`: `<outDir>/flowrun.html`, one self-contained file to open from disk or a CI artifact. */
export const createReporter: ReporterFactory = async (options): Promise<Reporter> => {
  const matrix = await loadReporterMatrix(options);
  return {
    async onEnd(result) {
      const html = renderHtml(result, matrixForJson(matrix, result));
      await writeReportFile(path.resolve(options.cwd, options.outDir, 'flowrun.html'), html);
    },
  };
};

export { renderHtml } from './page.js';
