import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { StepError } from '../../errors.js';
import type { StreamedBody } from './wire.js';

// mime-types (and its database) is loaded by the first file body only.
const load = createRequire(import.meta.url);
let mime: typeof import('mime-types') | undefined;
const guessType = (file: string): string =>
  (mime ??= load('mime-types') as typeof import('mime-types')).lookup(file) || 'application/octet-stream';

/** A file part as written: `{ file, contentType?, filename? }` (path relative to the scenario file). */
export interface FileSpec {
  file: string;
  contentType?: string;
  filename?: string;
}

export type MultipartValue = string | number | boolean | FileSpec;

/** A request body built from files, with what reports and curl lines show instead of the bytes. */
export interface BuiltBody {
  body: StreamedBody;
  contentType: string;
  /** For reports: fields as written, files as `<file path, N bytes, type>`. */
  summary: unknown;
  /** curl options reproducing it (`-F ...` or `--data-binary @file`). */
  curl: string[];
}

const isFile = (v: unknown): v is FileSpec =>
  v !== null && typeof v === 'object' && typeof (v as FileSpec).file === 'string';

async function sizeOf(file: string, shown: string): Promise<number> {
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new StepError(`body file ${shown} is not a file`);
    return s.size;
  } catch (error) {
    if (error instanceof StepError) throw error;
    throw new StepError(
      `body file ${shown} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

const describeFile = (shown: string, size: number, type: string) => `<file ${shown}, ${size} bytes, ${type}>`;
const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** `body: { file: path }`: the file's bytes as the body, streamed. */
export async function fileBody(spec: FileSpec, baseDir: string): Promise<BuiltBody> {
  const file = path.resolve(baseDir, spec.file);
  const size = await sizeOf(file, spec.file);
  const contentType = spec.contentType ?? guessType(file);
  return {
    body: { length: size, parts: [{ file, size }] },
    contentType,
    summary: describeFile(spec.file, size, contentType),
    curl: ['--data-binary', quote(`@${file}`)],
  };
}

// Field names and file names are quoted; a quote or line break in them is percent-encoded (as
// browsers do, WHATWG HTML "multipart/form-data encoding algorithm").
const escapeName = (s: string): string => s.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

/** `multipart:` fields and files as multipart/form-data; a list value repeats the field. */
export async function multipartBody(fields: Record<string, unknown>, baseDir: string): Promise<BuiltBody> {
  const boundary = `----flowrun${randomBytes(12).toString('hex')}`;
  const parts: StreamedBody['parts'] = [];
  const summary: Record<string, unknown> = {};
  const curl: string[] = [];
  let length = 0;
  const add = (b: Buffer) => {
    parts.push(b);
    length += b.length;
  };
  for (const [name, raw] of Object.entries(fields)) {
    const values = Array.isArray(raw) ? raw : [raw];
    const shown: unknown[] = [];
    for (const value of values as unknown[]) {
      let head = `--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(name)}"`;
      if (isFile(value)) {
        const file = path.resolve(baseDir, value.file);
        const size = await sizeOf(file, value.file);
        const type = value.contentType ?? guessType(file);
        const filename = value.filename ?? path.basename(file);
        head += `; filename="${escapeName(filename)}"\r\nContent-Type: ${type}\r\n\r\n`;
        add(Buffer.from(head, 'utf8'));
        parts.push({ file, size });
        length += size;
        add(Buffer.from('\r\n'));
        shown.push(describeFile(value.file, size, type));
        curl.push('-F', quote(`${name}=@${file};type=${type};filename=${filename}`));
      } else {
        const text = typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
        add(Buffer.from(`${head}\r\n\r\n${text}\r\n`, 'utf8'));
        shown.push(text);
        curl.push('--form-string', quote(`${name}=${text}`));
      }
    }
    summary[name] = Array.isArray(raw) ? shown : shown[0];
  }
  add(Buffer.from(`--${boundary}--\r\n`));
  return { body: { length, parts }, contentType: `multipart/form-data; boundary=${boundary}`, summary, curl };
}
