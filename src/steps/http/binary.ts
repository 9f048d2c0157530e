import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';

const TEXT_TYPE =
  /^(?:text\/|application\/(?:[\w.+-]*\+)?(?:json|xml|javascript|ecmascript|x-www-form-urlencoded|graphql|yaml|x-yaml|csv|x-ndjson|problem\+json)\b)|\+(?:json|xml)\b/i;

/** Whether a response body is text: by its Content-Type, or (without one) by being valid UTF-8. */
export function isTextual(contentType: string, bytes: Buffer): boolean {
  if (bytes.length === 0) return true;
  if (contentType === '') return isUtf8(bytes);
  return TEXT_TYPE.test(contentType);
}

/** What reports show of a binary body: its size, digest and type, never the bytes. */
export const binaryBody = (bytes: Buffer, contentType: string): string =>
  `<binary ${bytes.length} bytes, sha256 ${createHash('sha256').update(bytes).digest('hex')}${contentType ? `, ${contentType}` : ''}>`;
