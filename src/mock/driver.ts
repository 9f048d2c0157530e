/**
 * The contract every mock driver (embedded, MockServer, WireMock) fulfils. The engine registers
 * a scenario's expectations under its instance id and removes them when the scenario ends; the
 * verify step reads the requests recorded while that scope was active.
 */
import type { MockExpectationSpec } from '../types.js';
import type { RecordedRequest, RequestMatcher } from './model.js';

/** Renders flowrun templates in the scenario's scope; `extraScope` adds names such as `request`. */
export type RenderFn = (value: unknown, extraScope?: Record<string, unknown>) => unknown;

export interface MockDriver {
  readonly name: string;
  readonly kind: 'embedded' | 'mockserver' | 'wiremock';
  /** Base URL the system under test should call. */
  readonly url: string;
  /**
   * Registers a scenario's expectations under a scope id (the scenario instance id). Request
   * matchers are rendered now; responses at request time with `{ request }` as extra scope.
   */
  register(scopeId: string, expectations: MockExpectationSpec[], render: RenderFn): Promise<void>;
  /** Removes the scope's expectations; returns the requests that matched no expectation while the scope was active. */
  unregister(scopeId: string): Promise<{ unmatched: unknown[] }>;
  /** The rendered request matcher of a registered expectation (for `verify: { mock: id }`). */
  matcherOf(scopeId: string, expectationId: string): RequestMatcher | undefined;
  /**
   * Requests recorded while the scope was active, oldest first. `dropped` > 0 means the
   * journal overflowed and older requests of the scope may be missing.
   */
  requests(scopeId: string): Promise<{ requests: RecordedRequest[]; dropped: number }>;
  close(): Promise<void>;
}
