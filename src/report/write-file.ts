import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Writes a report atomically (temp file + rename) so a reader never sees half a file. */
export async function writeReportFile(file: string, content: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, file);
}
