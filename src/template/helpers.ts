import { randomInt as cryptoRandomInt, randomUUID } from 'node:crypto';
import type { HelperDelegate } from 'handlebars';
import { split, str } from './helpers/args.js';
import { conditionHelpers } from './helpers/conditions.js';
import { cryptoHelpers } from './helpers/crypto.js';
import { jwtHelpers, signJwt } from './helpers/jwt.js';
import { timeHelpers } from './helpers/time.js';

const general: Record<string, HelperDelegate> = {
  uuid: () => randomUUID(),
  randomInt: (...a: unknown[]) => {
    const [min, max] = split(a).args;
    const lo = typeof min === 'number' ? min : 0;
    const hi = typeof max === 'number' ? max : lo + 1_000_000;
    return cryptoRandomInt(lo, hi + 1);
  },
  randomEmail: (...a: unknown[]) => {
    const [domain] = split(a).args;
    return `user-${randomUUID().slice(0, 8)}@${typeof domain === 'string' ? domain : 'example.com'}`;
  },
  json: (...a: unknown[]) => JSON.stringify(split(a).args[0]),
  lower: (...a: unknown[]) => str(split(a).args[0]).toLowerCase(),
  upper: (...a: unknown[]) => str(split(a).args[0]).toUpperCase(),
  concat: (...a: unknown[]) => split(a).args.map(str).join(''),
  add: (...a: unknown[]) => split(a).args.reduce<number>((s, v) => s + Number(v), 0),
  default: (...a: unknown[]) => {
    const [value, fallback] = split(a).args;
    return value === undefined || value === null || value === '' ? fallback : value;
  },
};

/** Template helpers available everywhere ({{uuid}}, {{totp secrets.otp}}, {{gt count 0}}...), see docs/scenarios.md. */
export const helpers: Record<string, HelperDelegate> = {
  ...general,
  ...timeHelpers,
  ...cryptoHelpers,
  ...conditionHelpers,
  ...jwtHelpers,
};

/**
 * Helpers whose result comes later (jose signs with WebCrypto, which is asynchronous). While
 * rendering they answer a placeholder; renderValueAsync awaits them and puts the results in.
 */
export const asyncHelpers: Record<
  string,
  (args: unknown[], hash: Record<string, unknown>) => Promise<unknown>
> = {
  jwt: ([claims, key], hash) => signJwt(claims, key, hash),
};

export const helperNames = new Set([...Object.keys(helpers), ...Object.keys(asyncHelpers)]);
