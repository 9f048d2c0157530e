/**
 * flowrun's programmatic API: the contracts for custom reporters and step kinds, and the
 * functions the CLI is built from.
 */
export type * from './types.js';
export type { StepRunner, StepKind, StepContext, StepOutput, ExpectMode } from './steps/types.js';
export type { ResolvedEnvironment } from './model/environment.js';
export { FlowrunError, LoadError, StepError, UsageError, ExitCode } from './errors.js';
export { loadScenarios } from './scenario/load.js';
export { main } from './cli/main.js';
