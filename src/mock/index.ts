/**
 * Mock servers for a run: the engine starts them once per run (`startMockServers`, stored as
 * the `mocks` resource), registers each scenario's expectations under the scenario instance id
 * and unregisters them when the scenario ends. Scenarios that use the same mock server must run
 * one at a time (the engine serialises them by server).
 */
import type { MockServerConfig } from '../model/environment.js';
import type { Resources } from '../util/resources.js';
import { FlowrunError, StepError } from '../errors.js';
import type { MockDriver } from './driver.js';
import { MockServerDriver } from './drivers/mockserver.js';
import { WireMockDriver } from './drivers/wiremock.js';
import { EmbeddedMockServer } from './embedded/server.js';

export type { MockDriver, RenderFn } from './driver.js';
export type { RecordedRequest, RequestMatcher } from './model.js';
export { EmbeddedMockServer } from './embedded/server.js';
export { MockServerDriver } from './drivers/mockserver.js';
export { WireMockDriver } from './drivers/wiremock.js';

/** The resource key the drivers are stored under. */
export const MOCKS_RESOURCE = 'mocks';

/** Starts (embedded) or connects to (MockServer, WireMock) one mock server. */
export async function startMockServer(config: MockServerConfig): Promise<MockDriver> {
  const kinds = [
    config.port !== undefined,
    config.mockserver !== undefined,
    config.wiremock !== undefined,
  ].filter(Boolean);
  if (kinds.length !== 1) {
    throw new FlowrunError(`mock server "${config.name}": give exactly one of port, mockserver, wiremock`, {
      code: 'E_MOCK_CONFIG',
      location: config.location,
    });
  }
  if (config.mockserver !== undefined)
    return MockServerDriver.connect(config.name, config.mockserver, config.location);
  if (config.wiremock !== undefined)
    return WireMockDriver.connect(config.name, config.wiremock, config.location);
  return EmbeddedMockServer.start({ name: config.name, port: config.port, location: config.location });
}

/**
 * Starts every mock server of the environment; each one is closed when `resources` closes. If
 * one fails to start, those already started are closed before the error is thrown.
 */
export async function startMockServers(
  configs: Record<string, MockServerConfig>,
  resources: Resources,
): Promise<Record<string, MockDriver>> {
  const drivers: Record<string, MockDriver> = {};
  try {
    for (const [name, config] of Object.entries(configs)) {
      const driver = await startMockServer({ ...config, name: config.name ?? name });
      drivers[name] = driver;
    }
  } catch (error) {
    await Promise.allSettled(Object.values(drivers).map((d) => d.close()));
    throw error;
  }
  for (const [name, driver] of Object.entries(drivers))
    resources.onClose(`mock ${name}`, () => driver.close());
  return drivers;
}

/** The run's mock drivers (for the verify step); a clear error when the environment has none. */
export async function getMockDrivers(resources: Resources): Promise<Record<string, MockDriver>> {
  if (!resources.has(MOCKS_RESOURCE)) {
    throw new StepError('no mock servers are running: add mocks: to the environment file');
  }
  return resources.get<Record<string, MockDriver>>(MOCKS_RESOURCE, () => {
    throw new StepError('no mock servers are running');
  });
}

/** One driver by name, with the known names in the error. */
export function pickDriver(drivers: Record<string, MockDriver>, server: string): MockDriver {
  const driver = drivers[server];
  if (!driver) {
    const known = Object.keys(drivers);
    throw new StepError(
      `unknown mock server "${server}"${known.length ? ` (the environment has: ${known.join(', ')})` : ' (the environment has none)'}`,
    );
  }
  return driver;
}
