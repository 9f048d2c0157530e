/** `wait: 2s` or `wait: { duration: 2s, reason: "..." }`. */
export interface WaitConfig {
  duration?: string | number;
  reason?: string;
}

export const waitConfig = (config: unknown): WaitConfig =>
  typeof config === 'object' && config !== null ? (config as WaitConfig) : { duration: config as string };
