import pg from 'pg';
import { StepError } from '../../errors.js';
import { namedConnection } from '../../clients/connection-messages.js';
import { interruption } from '../interruption.js';
import type { StepContext, StepOutput, StepRunner } from '../types.js';
import { connectionError, isServerError, queryError } from './errors.js';
import { flowrunTypes } from './type-parsers.js';

/** The `sql:` block of a step. */
export interface SqlStepConfig {
  /** A key of the environment's `databases:`. */
  db: string;
  /** One statement; values go in as `$1, $2...` placeholders, never spliced into the text. */
  query: string;
  params?: unknown[];
}

/** Rows kept in the report summary; expectations always see every row. */
const SUMMARY_ROWS = 20;

function openPool(url: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    types: flowrunTypes,
    max: 5,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 10_000,
    application_name: 'flowrun',
  });
  // An idle client losing its server (restart, pg_terminate_backend) must not crash the run;
  // the next checkout opens a fresh connection and reports its own error if any.
  pool.on('error', () => undefined);
  return pool;
}

export const sqlRunner: StepRunner<SqlStepConfig> = {
  kind: 'sql',
  expect: { rowCount: 'value', rows: 'rows' },
  // The query stays literal: values only ever reach PostgreSQL as bound parameters.
  literalKeys: ['query'],

  async run(config: SqlStepConfig, ctx: StepContext): Promise<StepOutput> {
    const name = config.db;
    const database = namedConnection(ctx.environment, 'databases', name, ctx.location);
    const pool = await ctx.resources.get(
      `pg:${name}`,
      () => openPool(database.url),
      (p) => p.end(),
    );

    const connecting = interruption(ctx, 'E_SQL_TIMEOUT', (why) => `connecting to database "${name}" ${why}`);
    let client: pg.PoolClient;
    try {
      client = await Promise.race([pool.connect(), connecting.promise]);
    } catch (error) {
      if (error instanceof StepError) throw error;
      throw connectionError(name, database.url, error, ctx.location);
    } finally {
      connecting.cleanup();
    }

    const running = interruption(ctx, 'E_SQL_TIMEOUT', (why) => `query on database "${name}" ${why}`);
    let broken = false;
    try {
      const raw: pg.QueryResult | pg.QueryResult[] = await Promise.race([
        client.query({ text: config.query, values: config.params ?? [] }),
        running.promise,
      ]);
      // Without params, several statements separated by `;` are allowed (setup scripts); the
      // last one's result is the step's output.
      const result = Array.isArray(raw) ? raw[raw.length - 1] : raw;
      const rows = (result.rows ?? []) as Record<string, unknown>[];
      // rowCount is null for statements without a count (e.g. CREATE TABLE); rows.length then.
      const rowCount = typeof result.rowCount === 'number' ? result.rowCount : rows.length;
      return {
        values: { rowCount, rows },
        root: rows,
        summary: {
          db: name,
          command: result.command,
          rowCount,
          rows: rows.slice(0, SUMMARY_ROWS),
          ...(rows.length > SUMMARY_ROWS ? { truncated: rows.length - SUMMARY_ROWS } : {}),
        },
      };
    } catch (error) {
      if (error instanceof StepError) {
        // Interrupted mid-query: drop this connection rather than reuse one still busy.
        broken = true;
        throw error;
      }
      if (isServerError(error)) throw queryError(name, config.query, error, ctx.location);
      broken = true;
      throw connectionError(name, database.url, error, ctx.location);
    } finally {
      running.cleanup();
      client.release(broken ? true : undefined);
    }
  },
};
