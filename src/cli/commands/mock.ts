/**
 * `flowrun mock <file> --port N`: a standalone embedded mock server with the expectations of a
 * YAML file (`mocks:` as in a scenario, without `server`) and the MockServer control API.
 */
import { basename } from 'node:path';
import { randomUUID } from 'node:crypto';
import { FlowrunError, LoadError, LoadErrors } from '../../errors.js';
import { EmbeddedMockServer } from '../../mock/embedded/server.js';
import type { RenderFn } from '../../mock/driver.js';
import { toExpectation } from '../../mock/model.js';
import { validateSource } from '../../scenario/validate.js';
import { readYamlFile } from '../../scenario/yaml-source.js';
import { renderValue } from '../../template/render.js';
import type { MockExpectationSpec } from '../../types.js';

interface MockFile {
  mocks: (Omit<MockExpectationSpec, 'id' | 'server' | 'location'> & { id?: string })[];
  vars?: Record<string, unknown>;
}

export async function runMockCommand(
  file: string,
  options: { port: number; host?: string },
): Promise<{ url: string; close(): Promise<void> }> {
  const source = await readYamlFile(file);
  const errors = validateSource(source, 'mock-file');
  if (errors.length) throw errors.length === 1 ? errors[0] : new LoadErrors(errors);
  const data = source.data as MockFile;
  const name = basename(file).replace(/\.ya?ml$/, '');
  const scope: Record<string, unknown> = {
    ...(data.vars ?? {}),
    env: { ...process.env },
    runId: randomUUID().slice(0, 8),
  };
  const render: RenderFn = (value, extra) => renderValue(value, extra ? { ...scope, ...extra } : scope);

  const ids = new Set<string>();
  const expectations = data.mocks.map((m, i) => {
    const location = source.locate(['mocks', i]);
    const id = m.id ?? `mock-${i + 1}`;
    if (ids.has(id)) throw new LoadError(`mock "${id}" is defined twice`, { code: 'E_MOCK_SPEC', location });
    ids.add(id);
    try {
      return toExpectation({ ...m, id, server: name, location }, (v) => render(v));
    } catch (error) {
      if (error instanceof FlowrunError) throw error;
      throw new LoadError((error as Error).message, { code: 'E_TEMPLATE', location });
    }
  });

  const server = await EmbeddedMockServer.start({
    name,
    port: options.port,
    host: options.host ?? '127.0.0.1',
  });
  for (const exp of expectations) server.upsertApiExpectation(exp, render);
  return { url: server.url, close: () => server.close() };
}
