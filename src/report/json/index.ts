import path from 'node:path';
import type { Reporter, ReporterFactory } from '../../types.js';
import { writeReportFile } from '../write-file.js';

/**
 * Writes `<out>/flowrun.json`: the whole run result (also after an interruption), with the
 * integration matrix model when a matrix file is in use.
 */
export const createReporter: ReporterFactory = async (options) => {
  const file = path.join(options.outDir, 'flowrun.json');
  const { loadReporterMatrix, matrixForJson } = await import('../../matrix/report-data.js');
  const matrix = await loadReporterMatrix(options);
  const reporter: Reporter = {
    async onEnd(result) {
      const model = matrixForJson(matrix, result);
      await writeReportFile(
        file,
        JSON.stringify(model ? { ...result, matrix: model } : result, null, 2) + '\n',
      );
    },
  };
  return reporter;
};
