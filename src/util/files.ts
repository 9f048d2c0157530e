import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import path from 'node:path';

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
