/**
 * The real PostgreSQL and Redis servers that scripts/run-tests.mjs starts for the whole suite,
 * and helpers that give each test file its own database / Redis namespace so files can run in
 * parallel without seeing each other's data.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import type { ResolvedEnvironment } from '../../src/model/environment.js';
import type { Resources } from '../../src/util/resources.js';
import type { StepContext } from '../../src/steps/types.js';
import type { Location, ScenarioSpec, StepResult, StepSpec } from '../../src/types.js';

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

// ---------------------------------------------------------------------------------------------
// Running sql/redis steps against these servers: a resolved environment, a step context and the
// engine's runStep with hand-made step specs.

/** A resolved environment with just the given databases and Redis instances. */
export function testEnvironment(
  init: {
    databases?: Record<string, string>;
    redis?: Record<string, string>;
    name?: string;
    unavailable?: Record<string, string>;
  } = {},
): ResolvedEnvironment {
  const named = (urls: Record<string, string> = {}) =>
    Object.fromEntries(Object.entries(urls).map(([name, url]) => [name, { url }]));
  // Asserted, not annotated: keeps compiling while optional fields are added to the contract.
  return {
    name: init.name ?? 'test',
    vars: {},
    secrets: {},
    http: {
      timeoutMs: 10_000,
      headers: {},
      insecure: false,
      followRedirects: true,
      cookies: true,
      userAgent: 'flowrun/test',
    },
    databases: named(init.databases),
    redis: named(init.redis),
    mocks: {},
    services: {},
    waitFor: [],
    protected: false,
    keyLocations: {},
    unavailable: init.unavailable ?? {},
  } as ResolvedEnvironment;
}

export const TEST_LOCATION: Location = { file: 'scenarios/data.yaml', line: 7, col: 5 };

function scenarioSpec(): ScenarioSpec {
  return {
    id: 'scenarios/data.yaml#data',
    name: 'data',
    file: 'scenarios/data.yaml',
    location: { file: 'scenarios/data.yaml', line: 1, col: 1 },
    tags: [],
    covers: [],
    coversLocations: [],
    vars: {},
    parameters: {},
    mocks: [],
    setup: [],
    steps: [],
    teardown: [],
    writes: false,
    requires: [],
  } as ScenarioSpec;
}

/** A context for calling a runner directly. */
export function stepContext(
  environment: ResolvedEnvironment,
  resources: Resources,
  init: { signal?: AbortSignal; deadline?: number } = {},
): StepContext {
  return {
    environment,
    resources,
    scenario: scenarioSpec(),
    signal: init.signal ?? new AbortController().signal,
    deadline: init.deadline ?? Date.now() + 30_000,
    instance: {},
    location: TEST_LOCATION,
    render: (value) => value,
  };
}

/** Runs one step through the engine (render, run, poll, expect, capture) and returns its result. */
export async function runTestStep(
  step: Pick<StepSpec, 'kind' | 'config'> & Partial<StepSpec>,
  environment: ResolvedEnvironment,
  resources: Resources,
  scope: Record<string, unknown> = {},
): Promise<StepResult> {
  const { runStep } = await import('../../src/engine/run-step.js');
  const spec: StepSpec = { name: `${step.kind} step`, location: TEST_LOCATION, keyLocations: {}, ...step };
  return runStep(spec, 'steps', {
    environment,
    resources,
    instance: {},
    scenario: scenarioSpec(),
    scope: { runId: 'test', env: process.env, secrets: {}, services: {}, mocks: {}, ...scope },
    signal: new AbortController().signal,
    deadline: Date.now() + 60_000,
  });
}
