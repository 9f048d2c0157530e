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

/** How long a cancel request (and the query's end after it) may take when a step is cut off. */
const CANCEL_WITHIN_MS = 3000;

/** SQLSTATEs (and a severity) that mean the session itself is gone, not just the statement. */
const SESSION_LOST = new Set(['57P01', '57P02', '57P03']);
const lostSession = (error: unknown): boolean => {
  const e = error as { code?: string; severity?: string };
  return SESSION_LOST.has(e?.code ?? '') || e?.severity === 'FATAL' || e?.severity === 'PANIC';
};

const WATCHED = Symbol('flowrun.sql.watched');
type Watched = pg.PoolClient & { [WATCHED]?: { error?: Error } };

/**
 * A checked-out client whose connection dies (pg_terminate_backend, a server restart, a network
 * drop) emits 'error' with no listener of pg's own: that crashed the process. Every client gets
 * one listener for its whole life, which records the error for the step that holds it.
 */
function watch(client: pg.PoolClient): { error?: Error } {
  const c = client as Watched;
  if (!c[WATCHED]) {
    const state: { error?: Error } = {};
    c[WATCHED] = state;
    client.on('error', (error: Error) => (state.error ??= error));
  }
  c[WATCHED]!.error = undefined;
  return c[WATCHED]!;
}

/**
 * Stops a query the step no longer waits for (deadline, Ctrl-C) on the server: a cancel through
 * a separate connection (pg_cancel_backend of the session), then a bounded wait for the query to
 * end, so its locks are gone and nothing commits after flowrun reported the step as failed.
 */
async function cancelOnServer(url: string, client: pg.PoolClient, query: Promise<unknown>): Promise<void> {
  const pid = (client as unknown as { processID?: number }).processID;
  const settled = query.then(
    () => undefined,
    () => undefined,
  );
  if (pid) {
    const canceller = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: CANCEL_WITHIN_MS,
      application_name: 'flowrun-cancel',
    });
    canceller.on('error', () => undefined);
    const cancel = (async () => {
      try {
        await canceller.connect();
        await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
      } catch {
        // The query's connection is dropped below anyway: the server then ends the session.
      } finally {
        await canceller.end().catch(() => undefined);
      }
    })();
    await Promise.race([cancel, delay(CANCEL_WITHIN_MS)]);
  }
  await Promise.race([settled, delay(CANCEL_WITHIN_MS)]);
}

const delay = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/** The session died under a running statement: say so plainly, with the server's reason. */
function lostError(name: string, error: Error, ctx: StepContext): StepError {
  const e = error as { code?: string; message: string };
  const why = e.code === '57P01' ? `terminated by the server (${e.message})` : e.message;
  return new StepError(
    `the connection to database "${name}" was lost during the query: ${why}; the statement's outcome is unknown (it may or may not have been committed)`,
    { code: 'E_SQL_CONNECTION_LOST', location: ctx.location, cause: error },
  );
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
    const checkout = pool.connect();
    try {
      client = await Promise.race([checkout, connecting.promise]);
    } catch (error) {
      if (error instanceof StepError) {
        // Cut off while connecting: the connection that arrives later goes straight back (a
        // client never released kept pool.end(), and so flowrun's exit, waiting forever).
        checkout.then(
          (late) => late.release(true),
          () => undefined,
        );
        throw error;
      }
      throw connectionError(name, database.url, error, ctx.location);
    } finally {
      connecting.cleanup();
    }

    const running = interruption(ctx, 'E_SQL_TIMEOUT', (why) => `query on database "${name}" ${why}`);
    const session = watch(client);
    let broken = false;
    let query: Promise<pg.QueryResult | pg.QueryResult[]> | undefined;
    try {
      query = client.query({ text: config.query, values: config.params ?? [] });
      const raw: pg.QueryResult | pg.QueryResult[] = await Promise.race([query, running.promise]);
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
        // Interrupted mid-query: stop it on the server, then drop this connection.
        broken = true;
        if (query) await cancelOnServer(database.url, client, query);
        throw error;
      }
      if (lostSession(error) || session.error) {
        broken = true;
        throw lostError(name, (session.error && !isServerError(error) ? session.error : error) as Error, ctx);
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
