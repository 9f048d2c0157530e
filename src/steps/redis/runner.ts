import { StepError } from '../../errors.js';
import { hostPort, namedConnection } from '../../clients/connection-messages.js';
import { interruption } from '../interruption.js';
import type { StepContext, StepOutput, StepRunner } from '../types.js';
import { RedisHandle } from '../../clients/redis.js';

/** The `redis:` block of a step. */
export interface RedisStepConfig {
  /** A key of the environment's `redis:`. */
  db: string;
  /** The command and its arguments, e.g. `[HGET, "cart:{{id}}", total]`. */
  command: (string | number)[];
}

/** Replies that are flat `[field, value, ...]` lists on the wire but objects to a reader. */
const PAIR_REPLIES = new Set(['HGETALL', 'CONFIG GET']);

function toArgument(value: unknown, index: number, ctx: StepContext): string | number | Buffer {
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  throw new StepError(`redis command argument ${index} is ${value === null ? 'null' : 'undefined'}`, {
    code: 'E_REDIS_COMMAND',
    location: ctx.location,
  });
}

function pairsToObject(reply: unknown): unknown {
  if (!Array.isArray(reply)) return reply;
  const object: Record<string, unknown> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) object[String(reply[i])] = reply[i + 1];
  return object;
}

/** A string that holds a JSON object or array (a cached document) is what `$...` paths read. */
function jsonRoot(result: unknown): unknown {
  if (typeof result !== 'string') return result;
  const text = result.trim();
  if (!(text.startsWith('{') || text.startsWith('['))) return result;
  try {
    return JSON.parse(text);
  } catch {
    return result;
  }
}

function display(command: unknown[]): string {
  return command
    .map((part) => (typeof part === 'string' && /\s/.test(part) ? JSON.stringify(part) : String(part)))
    .join(' ');
}

export const redisRunner: StepRunner<RedisStepConfig> = {
  kind: 'redis',
  expect: { result: 'value' },

  async run(config: RedisStepConfig, ctx: StepContext): Promise<StepOutput> {
    const name = config.db;
    const instance = namedConnection(ctx.environment, 'redis', name, ctx.location);
    if (!Array.isArray(config.command) || config.command.length === 0) {
      throw new StepError('redis `command` must be a non-empty list, e.g. [GET, "key"]', {
        code: 'E_REDIS_COMMAND',
        location: ctx.location,
      });
    }
    const [verb, ...rest] = config.command.map((part, i) => toArgument(part, i, ctx));
    const handle = await ctx.resources.get(
      `redis:${name}`,
      () => new RedisHandle(name, instance.url),
      (h) => h.close(),
    );

    const bound = interruption(
      ctx,
      'E_REDIS_TIMEOUT',
      (why) => `redis command ${why}: ${display(config.command)}`,
    );

    const send = async () => {
      const client = await handle.get({ location: ctx.location, signal: ctx.signal });
      return Promise.race([client.call(String(verb), ...rest), bound.promise]);
    };
    let reply: unknown;
    try {
      try {
        reply = await send();
      } catch (error) {
        // Refused before it was written (the connection had just dropped): safe to send once more
        // on a new connection, since the server never saw it.
        if (!/Stream isn't writeable/.test((error as Error)?.message ?? '')) throw error;
        handle.reset();
        reply = await send();
      }
    } catch (error) {
      if (error instanceof StepError) {
        // A command cut off by the deadline or Ctrl-C is still running on its connection (BLPOP,
        // a slow script): every later command would queue behind it, so that connection goes.
        if (error.code === 'E_REDIS_TIMEOUT') handle.reset();
        throw error;
      }
      const e = error as Error;
      if (e?.name === 'ReplyError') {
        throw new StepError(
          `Redis command failed on "${name}": ${e.message}\n  command: ${display(config.command)}`,
          {
            code: 'E_REDIS_COMMAND',
            location: ctx.location,
            cause: error,
          },
        );
      }
      // The connection dropped mid-command: the handle opens a fresh one next time.
      handle.reset();
      throw new StepError(
        `lost the connection to Redis "${name}" at ${hostPort(instance.url, 6379)} during ${display(config.command)}: ` +
          `${(error as Error)?.message ?? String(error)}`,
        { code: 'E_REDIS_CONNECT', location: ctx.location, cause: error },
      );
    } finally {
      bound.cleanup();
    }

    const upper = String(verb).toUpperCase();
    const key = rest.length && upper === 'CONFIG' ? `${upper} ${String(rest[0]).toUpperCase()}` : upper;
    const result = PAIR_REPLIES.has(key) ? pairsToObject(reply) : reply;
    return {
      values: { result },
      root: jsonRoot(result),
      summary: { db: name, command: config.command, result },
    };
  },
};
