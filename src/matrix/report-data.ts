import path from 'node:path';
import type { ReporterOptions, RunResult } from '../types.js';
import { loadMatrix, type MatrixFile } from './load.js';
import { buildMatrix, isMatrixModel, type MatrixModel } from './model.js';

/**
 * Loads the reporter's matrix file, if one was given. Reporters call this in their factory so a
 * broken matrix file is a load error before anything runs, not a surprise at the end.
 */
export async function loadReporterMatrix(options: ReporterOptions): Promise<MatrixFile | undefined> {
  if (!options.matrixFile) return undefined;
  const file = path.resolve(options.cwd, options.matrixFile);
  return loadMatrix(file, path.relative(options.cwd, file) || options.matrixFile);
}

/**
 * The matrix data for the JSON report (`RunResult.matrix`): built from the matrix file when
 * there is one, else the model a replayed or merged result already carries, else undefined.
 */
export function matrixForJson(matrix: MatrixFile | undefined, result: RunResult): MatrixModel | undefined {
  if (matrix) return buildMatrix(matrix, result);
  return isMatrixModel(result.matrix) ? result.matrix : undefined;
}
