import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { loadReporterMatrix, matrixForJson } from '../../matrix/report-data.js';
import type { Reporter, ReporterFactory } from '../../types.js';
import { writeFileAtomically as writeReportFile } from '../../util/files.js';
import { renderMarkdown } from './render.js';

/**
 * `-r markdown`: `<outDir>/flowrun.md`, and the same text appended to `$GITHUB_STEP_SUMMARY`
 * when GitHub Actions provides it (so the job's summary page shows the result and the matrix).
 */
export const createReporter: ReporterFactory = async (options): Promise<Reporter> => {
  const matrix = await loadReporterMatrix(options);
  return {
    async onEnd(result) {
      const text = renderMarkdown(result, matrixForJson(matrix, result));
      await writeReportFile(path.resolve(options.cwd, options.outDir, 'flowrun.md'), text);
      const summary = process.env.GITHUB_STEP_SUMMARY;
      if (summary) await appendFile(summary, `${text}\n`, 'utf8');
    },
  };
};

export { renderMarkdown, renderMatrixMarkdown } from './render.js';
