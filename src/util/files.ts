import { closeSync, createWriteStream, fstatSync, openSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import path from 'node:path';
import { LoadError } from '../errors.js';

/** Files above this size are refused before parsing (a scenario is never megabytes of YAML). */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;
/**
 * Reads a file synchronously after checking its size on the open descriptor: scenario files are
 * small, and for thousands of them one synchronous read is several times cheaper than the
 * open/stat/read/close round trips of the promise API.
 */
export function readSmallFile(file: string, displayName = file): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const { size } = fstatSync(fd);
    if (size > MAX_FILE_BYTES) {
      throw new LoadError(
        `${displayName} is ${(size / 1048576).toFixed(1)} MiB; files over ${MAX_FILE_BYTES / 1048576} MiB are refused`,
        { code: 'E_YAML_SIZE', location: { file: displayName, line: 1, col: 1 } },
      );
    }
    return readFileSync(fd, 'utf8');
  } catch (error) {
    if (error instanceof LoadError) throw error;
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new LoadError(`cannot read ${displayName}: ${reason}`, { code: 'E_READ' });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes `file` so that readers (CI uploaders, a browser reloading a report) never see half of
 * it: `fill` writes a temp file beside the target, which is then renamed over it. On failure the
 * temp file is removed and the target is left as it was.
 */
export async function writeAtomically(file: string, fill: (temp: string) => Promise<void>): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`;
  try {
    await fill(temp);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** `writeAtomically` of a whole string or buffer. */
export const writeFileAtomically = (file: string, content: string | Uint8Array): Promise<void> =>
  writeAtomically(file, (temp) => writeFile(temp, content));

/**
 * `writeAtomically` of content produced piece by piece (a large JSON report): `produce` calls
 * `write` for each chunk; back-pressure is respected.
 */
export const streamFileAtomically = (
  file: string,
  produce: (write: (chunk: string) => Promise<void>) => Promise<void>,
): Promise<void> =>
  writeAtomically(file, async (temp) => {
    const out = createWriteStream(temp);
    let failure: Error | undefined;
    out.on('error', (error) => (failure ??= error));
    try {
      await produce(async (chunk) => {
        if (failure) throw failure;
        if (!out.write(chunk)) await once(out, 'drain');
      });
    } finally {
      out.end();
    }
    await finished(out);
  });
