import path from 'node:path';
import { streamFileAtomically } from '../../util/files.js';
import type { Reporter, ReporterFactory, RunResult } from '../../types.js';

/**
 * Writes `<out>/flowrun.json`: the whole run result (also after an interruption), with the
 * integration matrix model when a matrix file is in use. Scenarios are streamed one per line,
 * so a run of 20,000 scenarios never builds one giant string.
 */
export const createReporter: ReporterFactory = async (options) => {
  const file = path.join(options.outDir, 'flowrun.json');
  const { loadReporterMatrix, matrixForJson } = await import('../../matrix/report-data.js');
  const matrix = await loadReporterMatrix(options);
  const reporter: Reporter = {
    async onEnd(result) {
      const model = matrixForJson(matrix, result);
      await writeResult(file, model ? { ...result, matrix: model } : result);
    },
  };
  return reporter;
};

export async function writeResult(file: string, result: RunResult): Promise<void> {
  const { scenarios, ...head } = result;
  await streamFileAtomically(file, async (write) => {
    const headJson = JSON.stringify(head, null, 2);
    await write(`${headJson.slice(0, -2)},\n  "scenarios": [`);
    for (let i = 0; i < scenarios.length; i++)
      await write(`${i ? ',' : ''}\n    ${JSON.stringify(scenarios[i])}`);
    await write(`${scenarios.length ? '\n  ' : ''}]\n}\n`);
  });
}
