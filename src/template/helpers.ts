import { createHmac, randomInt as cryptoRandomInt, randomUUID } from 'node:crypto';
import type { HelperDelegate } from 'handlebars';
import { conditionHelpers } from './conditions.js';

/** Handlebars passes an options object as the last argument; helpers see only the real ones. */
const args = (list: unknown[]): unknown[] => list.slice(0, -1);
const str = (v: unknown): string =>
  typeof v === 'string'
    ? v
    : v === undefined || v === null
      ? ''
      : typeof v === 'object'
        ? JSON.stringify(v)
        : String(v);

/** Template helpers available everywhere ({{uuid}}, {{randomInt 1 10}}, {{hmacSha256 secrets.key body}}...). */
export const helpers: Record<string, HelperDelegate> = {
  uuid: () => randomUUID(),
  now: (...a: unknown[]) => {
    const [offset] = args(a);
    return new Date(Date.now() + (typeof offset === 'number' ? offset : 0)).toISOString();
  },
  timestamp: () => Date.now(),
  randomInt: (...a: unknown[]) => {
    const [min, max] = args(a);
    const lo = typeof min === 'number' ? min : 0;
    const hi = typeof max === 'number' ? max : lo + 1_000_000;
    return cryptoRandomInt(lo, hi + 1);
  },
  randomEmail: (...a: unknown[]) => {
    const [domain] = args(a);
    return `user-${randomUUID().slice(0, 8)}@${typeof domain === 'string' ? domain : 'example.com'}`;
  },
  base64: (...a: unknown[]) => Buffer.from(str(args(a)[0])).toString('base64'),
  json: (...a: unknown[]) => JSON.stringify(args(a)[0]),
  hmacSha256: (...a: unknown[]) => {
    const [key, message, encoding] = args(a);
    return createHmac('sha256', str(key))
      .update(str(message))
      .digest(encoding === 'base64' ? 'base64' : 'hex');
  },
  lower: (...a: unknown[]) => str(args(a)[0]).toLowerCase(),
  upper: (...a: unknown[]) => str(args(a)[0]).toUpperCase(),
  concat: (...a: unknown[]) => args(a).map(str).join(''),
  add: (...a: unknown[]) => args(a).reduce<number>((s, v) => s + Number(v), 0),
  default: (...a: unknown[]) => {
    const [value, fallback] = args(a);
    return value === undefined || value === null || value === '' ? fallback : value;
  },
  ...conditionHelpers,
};

export const helperNames = new Set(Object.keys(helpers));
