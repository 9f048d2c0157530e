import type { Screen } from '../../types.js';

/** `flowrun mock <file>`: serves until Ctrl-C / SIGTERM, then closes cleanly. */
export async function serveMock(
  file: string,
  options: { port: number; host: string },
  screen: Screen,
): Promise<number> {
  const { runMockCommand } = await import('./mock.js');
  const server = await runMockCommand(file, { port: Number(options.port), host: options.host });
  screen.out(
    `flowrun mock server listening on ${server.url} (MockServer control API at ${server.url}/mockserver/...)`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return 0;
}
