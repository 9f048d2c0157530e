import type { StepKind } from './types.js';
import { httpKind } from './http/index.js';
import { redisKind } from './redis/index.js';
import { sqlKind } from './sql/index.js';
import { verifyKind } from './verify/index.js';
import { waitKind } from './wait/index.js';

/** The only place that lists step kinds: a step's kind is the one of these keys it holds. */
export const stepKinds: Record<string, StepKind> = {
  http: httpKind,
  sql: sqlKind,
  redis: redisKind,
  verify: verifyKind,
  wait: waitKind,
};

/** Step keys that are not kinds. */
export const STEP_KEYS = new Set([
  'name',
  'expect',
  'capture',
  'poll',
  'skip',
  'timeout',
  'include',
  'with',
  'when',
  'repeat',
  'forEach',
  'continueOnFailure',
]);
