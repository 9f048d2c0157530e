import type { Screen } from '../../src/types.js';

/** A Screen that records what reporters print. */
export function memoryScreen(init: Partial<Screen> = {}): Screen & { lines: string[]; text(): string } {
  const lines: string[] = [];
  return {
    isTTY: false,
    color: false,
    columns: 100,
    out: (t: string) => lines.push(t),
    err: (t: string) => lines.push(t),
    ...init,
    lines,
    text: () => lines.join('\n'),
  };
}
