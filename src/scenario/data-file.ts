import { createRequire } from 'node:module';
import path from 'node:path';
import { LoadError } from '../errors.js';
import type { Location } from '../types.js';
import { readSmallFile, parseYamlSource } from './yaml-source.js';

/**
 * Rows of a data file for `parameters: { file }` and `forEach: { items: { file } }`: a CSV file
 * with a header row, a JSON array or a YAML list. Read once per file and load.
 */
const cache = new Map<string, Record<string, unknown>[] | LoadError>();

export function readDataRows(file: string, displayName: string, at: Location): Record<string, unknown>[] {
  let rows = cache.get(file);
  if (rows === undefined) {
    try {
      rows = parseRows(file, displayName, at);
    } catch (error) {
      rows = error instanceof LoadError ? error : new LoadError((error as Error).message, { location: at });
    }
    cache.set(file, rows);
  }
  if (rows instanceof LoadError) throw rows;
  return rows;
}

function parseRows(file: string, displayName: string, at: Location): Record<string, unknown>[] {
  let text: string;
  try {
    text = readSmallFile(file, displayName);
  } catch (error) {
    throw new LoadError(`data file not found: ${displayName}`, {
      code: 'E_DATA',
      location: at,
      hint: (error as Error).message,
    });
  }
  const ext = path.extname(file).toLowerCase();
  const here: Location = { file: displayName, line: 1, col: 1 };
  if (text.trim() === '')
    throw new LoadError(`data file ${displayName} is empty`, { code: 'E_DATA', location: at });
  let rows: unknown;
  if (ext === '.csv') rows = parseCsv(text, displayName);
  else if (ext === '.json') {
    try {
      rows = JSON.parse(text);
    } catch (error) {
      throw new LoadError(`${displayName} is not valid JSON: ${(error as Error).message}`, {
        code: 'E_DATA',
        location: here,
      });
    }
  } else if (ext === '.yaml' || ext === '.yml') rows = parseYamlSource(text, displayName).data;
  else
    throw new LoadError(`data file ${displayName}: use a .csv, .json, .yaml or .yml file`, {
      code: 'E_DATA',
      location: at,
    });
  if (!Array.isArray(rows))
    throw new LoadError(`data file ${displayName} must hold a list of rows`, {
      code: 'E_DATA',
      location: here,
    });
  if (rows.length === 0)
    throw new LoadError(`data file ${displayName} has no rows`, { code: 'E_DATA', location: at });
  rows.forEach((row, i) => {
    if (!row || typeof row !== 'object' || Array.isArray(row))
      throw new LoadError(`data file ${displayName}: row ${i + 1} is not an object (name: value pairs)`, {
        code: 'E_DATA',
        location: here,
      });
  });
  return rows as Record<string, unknown>[];
}

const lazy = createRequire(import.meta.url);
const loadCsv = (): typeof import('csv-parse/sync') =>
  lazy('csv-parse/sync') as typeof import('csv-parse/sync');

function parseCsv(text: string, displayName: string): Record<string, unknown>[] {
  // csv-parse is loaded only by suites that use CSV files.
  const { parse } = loadCsv();
  try {
    return parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<
      string,
      unknown
    >[];
  } catch (error) {
    const e = error as Error & { lines?: number; code?: string };
    const message =
      e.code === 'CSV_RECORD_INCONSISTENT_COLUMNS' || e.code === 'CSV_RECORD_DONT_MATCH_COLUMNS_LENGTH'
        ? `row on line ${e.lines} has a different number of fields than the header`
        : e.message;
    throw new LoadError(`${displayName}: ${message}`, {
      code: 'E_DATA',
      location: { file: displayName, line: e.lines ?? 1, col: 1 },
    });
  }
}
