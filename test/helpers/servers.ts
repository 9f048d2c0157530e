/**
 * The real PostgreSQL and Redis servers that scripts/run-tests.mjs starts for the whole suite,
 * and helpers that give each test file its own database / Redis namespace so files can run in
 * parallel without seeing each other's data.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: this test needs the real PostgreSQL/Redis servers that \`npm test\` starts. ` +
        'Run it via `npm test` or `node scripts/run-tests.mjs <test files>`.',
    );
  }
  return value;
}

/** URL of the suite's PostgreSQL server (its `postgres` database, superuser). */
export function testDatabaseUrl(): string {
  return required('FLOWRUN_TEST_DATABASE_URL');
}

/** URL of the suite's redis-server (db 0). */
export function testRedisUrl(): string {
  return required('FLOWRUN_TEST_REDIS_URL');
}

/** A suffix unique to this call, usable in identifiers. */
export function uniqueSuffix(): string {
  return `${process.pid}_${randomBytes(4).toString('hex')}`;
}

export interface TestDatabase {
  /** URL of the new, empty database. */
  url: string;
  name: string;
  /** Drops the database (terminating leftover connections). */
  drop(): Promise<void>;
}

/** Creates an empty database `<prefix>_<unique>` on the suite's server. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const name = `${prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_${uniqueSuffix()}`.slice(0, 63);
  const admin = testDatabaseUrl();
  await adminQuery(admin, `CREATE DATABASE "${name}"`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => adminQuery(admin, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Runs SQL against a database URL with a short-lived client (fixtures, assertions in tests). */
export async function sql<T extends Record<string, unknown> = Record<string, unknown>>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

export interface TestRedis {
  /** URL with a db index of its own (1..15), flushed when handed out. */
  url: string;
  db: number;
  /** A key prefix unique to this call, for files that share a db. */
  prefix: string;
  /** A client on that db (closed by `close`). */
  client: Redis;
  /** Flushes the db and closes the client. */
  close(): Promise<void>;
}

/**
 * A Redis database index for one test file. Indexes are handed out round-robin through a
 * counter in db 0, so concurrently running files (test concurrency is 2) never share one.
 */
export async function createTestRedis(prefix: string): Promise<TestRedis> {
  const base = testRedisUrl();
  const admin = new Redis(base, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000 });
  await admin.connect();
  let db: number;
  try {
    db = ((await admin.incr('flowrun:test:next-db')) % 15) + 1;
  } finally {
    admin.disconnect();
  }
  const url = new URL(base);
  url.pathname = `/${db}`;
  const client = new Redis(url.toString(), {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
  });
  await client.connect();
  await client.flushdb();
  return {
    url: url.toString(),
    db,
    prefix: `${prefix}:${uniqueSuffix()}:`,
    client,
    close: async () => {
      await client.flushdb().catch(() => undefined);
      client.disconnect();
    },
  };
}
