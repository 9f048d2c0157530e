import type { ContractSettings } from '../model/environment.js';
import { FlowrunError } from '../errors.js';
import { Contract } from './check.js';
import { loadSpec } from './spec.js';

export { Contract } from './check.js';
export type { ContractOutcome } from './check.js';

/** Loads the environment's OpenAPI document; a document that cannot be read is a located error. */
export async function loadContract(settings: ContractSettings, baseUrl?: string): Promise<Contract> {
  try {
    const spec = await loadSpec(settings.spec, settings.location);
    return new Contract(spec, { mode: settings.mode, requests: settings.requests, baseUrl });
  } catch (error) {
    throw new FlowrunError(`openapi: cannot load ${settings.spec}: ${(error as Error).message}`, {
      code: 'E_OPENAPI',
      location: settings.at,
      hint: 'openapi: names an OpenAPI 3.0 or 3.1 document (YAML or JSON), a path relative to the file or a URL',
    });
  }
}
