import pg from 'pg';
import type { CustomTypesConfig } from 'pg';

/**
 * How PostgreSQL values become JSON for expectations and captures. Handed to each pool (never
 * set globally on `pg.types`, which would change the behaviour of the application code or other
 * libraries sharing the process). The aim: `rowCount`/`count(*)`/ids compare against plain YAML
 * numbers and captured numbers without quoting, and every value is JSON.
 *
 * | PostgreSQL                   | JSON                                                        |
 * |------------------------------|-------------------------------------------------------------|
 * | smallint, integer, real, double | number                                                   |
 * | bigint (int8)                | number when a safe integer (|n| < 2^53), else string        |
 * | numeric/decimal              | number when it converts exactly, else its decimal text      |
 * | boolean                      | true / false                                                |
 * | json, jsonb                  | the parsed value                                            |
 * | timestamptz                  | ISO 8601 UTC string, millisecond precision (`...T..:..:..sssZ`) |
 * | timestamp                    | `YYYY-MM-DDTHH:MM:SS[.ffffff]` (no zone, as stored)          |
 * | date                         | `YYYY-MM-DD`                                                |
 * | interval, time, uuid, text, bytea, money... | PostgreSQL's text form                       |
 * | arrays                       | arrays of the above                                         |
 * | NULL                         | null                                                        |
 */

const OID = {
  int8: 20,
  int8Array: 1016,
  numeric: 1700,
  numericArray: 1231,
  timestamp: 1114,
  timestampArray: 1115,
  timestamptz: 1184,
  timestamptzArray: 1185,
  date: 1082,
  dateArray: 1182,
  interval: 1186,
  intervalArray: 1187,
  bytea: 17,
  byteaArray: 1001,
  textArray: 1009,
} as const;

export function parseInt8(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/** A number only when converting loses nothing (trailing zeros of the scale aside: 12.50 -> 12.5). */
export function parseNumeric(text: string): number | string {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return text; // NaN, Infinity
  const [, sign, intPart, fracPart = ''] = match;
  const int = intPart.replace(/^0+(?=\d)/, '');
  const frac = fracPart.replace(/0+$/, '');
  const n = Number(text);
  if (n === 0) return 0;
  const canonical = `${sign}${int}${frac ? `.${frac}` : ''}`;
  return String(n) === canonical ? n : text;
}

const TIMESTAMPTZ =
  /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?$/;

/** `2024-05-01 10:00:00.123456+02` -> `2024-05-01T08:00:00.123Z`; BC and infinity stay text. */
export function parseTimestamptz(text: string): string {
  const m = TIMESTAMPTZ.exec(text);
  if (!m) return text;
  const [, y, mo, d, h, mi, s, frac = '', sign, oh, om = '0', os = '0'] = m;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60 + Number(os)) * 1000;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms) - offset;
  return new Date(utc).toISOString();
}

/** `2024-05-01 10:00:00.5` -> `2024-05-01T10:00:00.5`: ISO-shaped, no zone invented. */
export function parseTimestamp(text: string): string {
  return /^\d{4}-\d\d-\d\d \d/.test(text) ? text.replace(' ', 'T') : text;
}

const identity = (text: string) => text;
const textArray = (pg.types.getTypeParser as (oid: number, format: 'text') => (text: string) => unknown)(
  OID.textArray,
  'text',
);

function mapDeep(value: unknown, parse: (text: string) => unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => mapDeep(item, parse));
  return typeof value === 'string' ? parse(value) : value;
}

const arrayOf = (parse: (text: string) => unknown) => (text: string) => mapDeep(textArray(text), parse);

const overrides = new Map<number, (text: string) => unknown>([
  [OID.int8, parseInt8],
  [OID.int8Array, arrayOf(parseInt8)],
  [OID.numeric, parseNumeric],
  [OID.numericArray, arrayOf(parseNumeric)],
  [OID.timestamptz, parseTimestamptz],
  [OID.timestamptzArray, arrayOf(parseTimestamptz)],
  [OID.timestamp, parseTimestamp],
  [OID.timestampArray, arrayOf(parseTimestamp)],
  [OID.date, identity],
  [OID.dateArray, arrayOf(identity)],
  [OID.interval, identity],
  [OID.intervalArray, arrayOf(identity)],
  [OID.bytea, identity],
  [OID.byteaArray, arrayOf(identity)],
]);

/** The `types` option for a pg Pool/Client. */
export const flowrunTypes: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary') {
      const parser = overrides.get(oid);
      if (parser) return parser;
    }
    return (pg.types.getTypeParser as (oid: number, format: string) => unknown)(oid, format ?? 'text');
  }) as CustomTypesConfig['getTypeParser'],
};
