import type { Location } from './types.js';

/** Exit codes, as documented: one place maps errors to them (see cli/exit.ts). */
export const ExitCode = {
  ok: 0,
  failed: 1,
  invalidInput: 2,
  internal: 3,
  interrupted: 130,
} as const;

/** Base of every error flowrun reports on purpose; anything else is an internal error (exit 3). */
export class FlowrunError extends Error {
  /** A stable code, e.g. `E_SCHEMA`, `E_TEMPLATE`, `E_YAML`. */
  readonly code: string;
  readonly location?: Location;
  /** A hint shown under the message (e.g. "did you mean 'expect'?"). */
  readonly hint?: string;
  readonly exitCode: number;

  constructor(
    message: string,
    options: { code?: string; location?: Location; hint?: string; exitCode?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? 'E_FLOWRUN';
    this.location = options.location;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.invalidInput;
  }
}

/** Invalid input found while loading files (YAML, schema, template, environment): exit 2. */
export class LoadError extends FlowrunError {}

/** Several load errors across files, reported in one go. */
export class LoadErrors extends FlowrunError {
  readonly errors: FlowrunError[];
  constructor(errors: FlowrunError[]) {
    super(`${errors.length} error${errors.length === 1 ? '' : 's'} in the input files`, { code: 'E_LOAD' });
    this.errors = errors;
  }
}

/** Bad command-line usage: exit 2. */
export class UsageError extends FlowrunError {
  constructor(message: string, hint?: string) {
    super(message, { code: 'E_USAGE', hint });
  }
}

/** A failure while running a step (connection refused, timeout, template error at run time). */
export class StepError extends FlowrunError {
  constructor(
    message: string,
    options: { code?: string; location?: Location; hint?: string; cause?: unknown } = {},
  ) {
    super(message, { ...options, exitCode: ExitCode.failed });
  }
}

/** The run was interrupted (Ctrl-C / SIGTERM). */
export class InterruptedError extends FlowrunError {
  constructor(message = 'interrupted') {
    super(message, { code: 'E_INTERRUPTED', exitCode: ExitCode.interrupted });
  }
}

export const formatLocation = (loc: Location | undefined): string =>
  loc ? `${loc.file}:${loc.line}:${loc.col}` : '';
