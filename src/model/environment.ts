import type { Location } from '../types.js';

/** A readiness check (`waitFor:` entries and a service's `ready:`). */
export interface ReadyCheck {
  http?: string;
  tcp?: string;
  sql?: string;
  redis?: string;
  /** Expected HTTP status (default: any 2xx/3xx). */
  status?: number;
  timeoutMs: number;
  intervalMs: number;
  location?: Location;
}

export interface ServiceConfig {
  name: string;
  command?: string;
  cwd?: string;
  env?: Record<string, string>;
  ready?: ReadyCheck;
  postgres?: 'embedded';
  redis?: 'local';
  /** Extra keys of the built-in kinds (e.g. postgres version, database name). */
  options?: Record<string, unknown>;
  /**
   * When it cannot start, the run goes on without it: `{{services.NAME.url}}` renders empty and
   * scenarios that need it are skipped with the reason.
   */
  optional?: boolean;
  location?: Location;
}

export interface MockServerConfig {
  name: string;
  /** flowrun's embedded mock server on 127.0.0.1 (0 = a free port). */
  port?: number;
  /** An external MockServer base URL. */
  mockserver?: string;
  /** An external WireMock base URL. */
  wiremock?: string;
  location?: Location;
}

/** An environment after its templates were rendered and its services/mocks started. */
export interface ResolvedEnvironment {
  name: string;
  file?: string;
  baseUrl?: string;
  vars: Record<string, unknown>;
  secrets: Record<string, string>;
  http: {
    timeoutMs: number;
    headers: Record<string, string>;
    insecure: boolean;
    followRedirects: boolean;
    /** A cookie jar per scenario instance (default true). */
    cookies: boolean;
    /** User-Agent sent unless a step or `headers` sets one (default `flowrun/<version>`). */
    userAgent: string;
  };
  databases: Record<string, { url: string; location?: Location }>;
  redis: Record<string, { url: string; location?: Location }>;
  mocks: Record<string, MockServerConfig & { url?: string }>;
  services: Record<string, { url?: string }>;
  /**
   * Resources that are not available, keyed `services.NAME`, `databases.NAME`, `redis.NAME`,
   * with the reason (an optional service that could not start, and what depended on it).
   */
  unavailable?: Record<string, string>;
  waitFor: ReadyCheck[];
  protected: boolean;
  /** `openapi:` and `contract:` of the environment (or flowrun.config.yaml); absent when off. */
  contract?: ContractSettings;
  /** Locations of keys in the environment file (`databases.main`, ...), for located errors. */
  keyLocations: Record<string, Location>;
}

/** Contract checking against an OpenAPI document. */
export interface ContractSettings {
  /** The document as written (path or URL), shown in reports. */
  spec: string;
  /** Absolute path or URL to load it from. */
  location: string;
  /** fail: violations fail the step; warn: reported only; strict: also undocumented requests fail. */
  mode: 'fail' | 'warn' | 'strict';
  /** Check request bodies too. */
  requests: boolean;
  /** Where `openapi:` is written, for located load errors. */
  at?: Location;
}

/** An environment file, parsed and validated but not rendered (nothing started yet). */
export interface EnvironmentSource {
  name: string;
  file?: string;
  data: Record<string, any>;
  /** The parsed file, to locate keys (`locate(path)`). */
  source?: { locate(path: (string | number)[], target?: 'key' | 'value'): Location | undefined };
  /** `openapi:`/`contract:` of flowrun.config.yaml, used when the file names none. */
  contractDefaults?: ContractDefaults;
}

/** Contract settings written outside an environment file (flowrun.config.yaml). */
export interface ContractDefaults {
  openapi?: string;
  contract?: unknown;
  /** Folder a relative `openapi:` path is resolved from. */
  baseDir: string;
  at?: Location;
}
