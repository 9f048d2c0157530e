import { createHash, createHmac, randomInt } from 'node:crypto';
import type { HelperDelegate } from 'handlebars';
import { choice, show, split, str } from './args.js';
import { shiftTime } from './time.js';

const digests = ['hex', 'base64', 'base64url'] as const;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (what authenticator apps and otpauth:// URIs use); case, spaces, dashes and padding are ignored. */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const i = BASE32.indexOf(ch);
    if (i < 0) throw new Error(`totp: the secret is not base32 (invalid character ${JSON.stringify(ch)})`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export interface TotpOptions {
  /** Seconds since the epoch. */
  time: number;
  digits: number;
  period: number;
  algorithm: 'SHA1' | 'SHA256' | 'SHA512';
}

/** RFC 6238 TOTP (RFC 4226 HOTP over the time step) for a raw key. */
export function totpCode(key: Buffer, o: TotpOptions): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(o.time / o.period)));
  const mac = createHmac(o.algorithm.toLowerCase(), key).update(counter).digest();
  const at = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(at) & 0x7fffffff;
  return String(binary % 10 ** o.digits).padStart(o.digits, '0');
}

function positiveInt(helper: string, option: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new Error(`${helper}: ${option} must be a whole number from 1 to ${max}, got ${show(value)}`);
  return n;
}

function totpKey(secret: unknown, encoding: 'base32' | 'ascii' | 'hex'): Buffer {
  if (typeof secret !== 'string' || secret === '')
    throw new Error(`totp: the secret must be a non-empty string, got ${show(secret)}`);
  if (encoding === 'ascii') return Buffer.from(secret, 'utf8');
  if (encoding === 'hex') {
    if (!/^([0-9a-f]{2})+$/i.test(secret)) throw new Error('totp: the secret is not hex');
    return Buffer.from(secret, 'hex');
  }
  return base32Decode(secret);
}

/** Seconds since the epoch from `time=` (epoch seconds or an ISO timestamp), else now; shifted by `offset=`. */
function totpTime(time: unknown, offset: unknown): number {
  let ms: number;
  if (time === undefined) ms = Date.now();
  else if (typeof time === 'number') ms = time * 1000;
  else if (typeof time === 'string' && !Number.isNaN(Date.parse(time))) ms = Date.parse(time);
  else throw new Error(`totp: time must be epoch seconds or an ISO timestamp, got ${show(time)}`);
  if (typeof offset === 'number') ms += offset * 1000;
  else if (typeof offset === 'string') ms = shiftTime(ms, offset);
  else if (offset !== undefined)
    throw new Error(`totp: offset must be seconds or like "-30s", got ${show(offset)}`);
  return ms / 1000;
}

const CHARSETS: Record<string, string> = {
  alphanumeric: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  alpha: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  numeric: '0123456789',
  hex: '0123456789abcdef',
};

export const cryptoHelpers: Record<string, HelperDelegate> = {
  sha256: (...list: unknown[]) => {
    const { args, hash } = split(list);
    return createHash('sha256')
      .update(str(args[0]))
      .digest(choice('sha256', 'encoding', hash.encoding, digests, 'hex'));
  },
  /** `hmacSha256 key text [encoding=hex|base64|base64url]` (a third positional argument is the encoding too). */
  hmacSha256: (...list: unknown[]) => {
    const { args, hash } = split(list);
    const [key, message, encoding] = args;
    return createHmac('sha256', str(key))
      .update(str(message))
      .digest(choice('hmacSha256', 'encoding', hash.encoding ?? encoding, digests, 'hex'));
  },
  base64: (...list: unknown[]) => Buffer.from(str(split(list).args[0])).toString('base64'),
  base64url: (...list: unknown[]) => Buffer.from(str(split(list).args[0])).toString('base64url'),
  /** A text percent-encoded for a URL part; a map becomes a form body (`a=1&b=x%20y`). */
  urlEncode: (...list: unknown[]) => {
    const [v] = split(list).args;
    if (v !== null && typeof v === 'object' && !Array.isArray(v))
      return new URLSearchParams(Object.entries(v).map(([k, x]) => [k, str(x)])).toString();
    return encodeURIComponent(str(v));
  },
  randomString: (...list: unknown[]) => {
    const { args, hash } = split(list);
    const n = positiveInt('randomString', 'the length', args[0] ?? 16, 16, 4096);
    const set =
      CHARSETS[choice('randomString', 'charset', hash.charset, Object.keys(CHARSETS), 'alphanumeric')];
    let out = '';
    for (let i = 0; i < n; i++) out += set[randomInt(set.length)];
    return out;
  },
  /** `totp secret [digits=6 period=30 algorithm=SHA1 offset=0 encoding=base32 time=now]`: the RFC 6238 code, a string. */
  totp: (...list: unknown[]) => {
    const { args, hash } = split(list);
    if (args.length !== 1) throw new Error(`totp takes the secret, got ${args.length} values`);
    const encoding = choice('totp', 'encoding', hash.encoding, ['base32', 'ascii', 'hex'] as const, 'base32');
    return totpCode(totpKey(args[0], encoding), {
      time: totpTime(hash.time, hash.offset),
      digits: positiveInt('totp', 'digits', hash.digits, 6, 10),
      period: positiveInt('totp', 'period', hash.period, 30, 86_400),
      algorithm: choice('totp', 'algorithm', hash.algorithm, ['SHA1', 'SHA256', 'SHA512'] as const, 'SHA1'),
    });
  },
};
