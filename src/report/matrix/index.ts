import { loadReporterMatrix, matrixForJson } from '../../matrix/report-data.js';
import type { Reporter, ReporterFactory } from '../../types.js';
import { renderMatrixTable } from './render.js';

/** `-r matrix`: the integration matrix as a table on the terminal at the end of the run. */
export const createReporter: ReporterFactory = async (options): Promise<Reporter> => {
  const matrix = await loadReporterMatrix(options);
  return {
    onEnd(result) {
      const model = matrixForJson(matrix, result);
      if (!model) {
        options.screen.out(
          'matrix: no integration matrix file (integration-matrix.yaml) was found; nothing to show',
        );
        return;
      }
      options.screen.out(
        renderMatrixTable(model, { color: options.screen.color, columns: options.screen.columns }),
      );
    },
  };
};

export { renderMatrixTable } from './render.js';
