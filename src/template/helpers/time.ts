import type { HelperDelegate } from 'handlebars';
import { show, split } from './args.js';

const unitMs: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const part = /([+-]?)\s*(\d+(?:\.\d+)?)\s*(ms|mo|s|m|h|d|w|y)/gy;

/**
 * Moves a time by a signed offset such as `+1d`, `-2h30m`, `+1mo`, `-1y` (a sign applies to
 * the parts after it). Months and years are calendar steps in UTC, clamped to the month's last
 * day (Jan 31 + 1mo = Feb 28/29); the other units are fixed lengths.
 */
export function shiftTime(epochMs: number, offset: string): number {
  const text = offset.trim();
  let sign = 1;
  let at = epochMs;
  part.lastIndex = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while (pos < text.length && (m = part.exec(text))) {
    if (m[1]) sign = m[1] === '-' ? -1 : 1;
    const n = sign * Number(m[2]);
    if (m[3] === 'mo' || m[3] === 'y') at = addMonths(at, m[3] === 'y' ? n * 12 : n);
    else at += n * unitMs[m[3]];
    pos = part.lastIndex;
    while (text[pos] === ' ') pos++;
    part.lastIndex = pos;
  }
  if (pos !== text.length || text.length === 0)
    throw new Error(
      `invalid time offset ${show(offset)} (expected e.g. "+1d", "-2h30m", "+1mo"; units ms s m h d w mo y)`,
    );
  return at;
}

function addMonths(epochMs: number, months: number): number {
  if (!Number.isInteger(months)) throw new Error(`months and years must be whole numbers, got ${months}`);
  const d = new Date(epochMs);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  target.setUTCHours(d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
  return target.getTime();
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const tokens = /YYYY|MM|DD|HH|mm|ss|SSS/g;

/** Formats a time (UTC): iso, epoch (seconds), epochMs, date (YYYY-MM-DD) or a pattern of YYYY MM DD HH mm ss SSS. */
export function formatTime(epochMs: number, format: unknown): string | number {
  const d = new Date(epochMs);
  switch (format) {
    case undefined:
    case 'iso':
      return d.toISOString();
    case 'epoch':
      return Math.floor(epochMs / 1000);
    case 'epochMs':
      return epochMs;
    case 'date':
      return d.toISOString().slice(0, 10);
  }
  if (typeof format !== 'string' || !tokens.test(format))
    throw new Error(
      `now: format must be iso, epoch, epochMs, date or a pattern such as "YYYY-MM-DD HH:mm:ss", got ${show(format)}`,
    );
  tokens.lastIndex = 0;
  const values: Record<string, string> = {
    YYYY: pad(d.getUTCFullYear(), 4),
    MM: pad(d.getUTCMonth() + 1),
    DD: pad(d.getUTCDate()),
    HH: pad(d.getUTCHours()),
    mm: pad(d.getUTCMinutes()),
    ss: pad(d.getUTCSeconds()),
    SSS: pad(d.getUTCMilliseconds(), 3),
  };
  return format.replace(tokens, (t) => values[t]);
}

export const timeHelpers: Record<string, HelperDelegate> = {
  /** `now`, `now "+1d"`, `now -5000` (ms), `now "-1h" format="epoch"`. */
  now: (...list: unknown[]) => {
    const { args, hash } = split(list);
    const [offset] = args;
    let at = Date.now();
    if (typeof offset === 'number') at += offset;
    else if (typeof offset === 'string') at = shiftTime(at, offset);
    else if (offset !== undefined)
      throw new Error(`now: offset must be like "+1d" or a number of ms, got ${show(offset)}`);
    return formatTime(at, hash.format);
  },
  timestamp: () => Date.now(),
};
