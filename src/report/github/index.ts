import path from 'node:path';
import type { Location, Reporter, ReporterFactory, ScenarioResult } from '../../types.js';
import { displayName, firstFailure, formatParams, plain } from '../format/index.js';

/** GitHub renders only the first annotations of a step; past this the rest are summarised. */
const MAX_ANNOTATIONS = 50;

/** Escapes a workflow-command message (GitHub's rules: %, CR, LF). */
export const escapeData = (s: string): string =>
  s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

/** Escapes a workflow-command property value: the message rules plus `:` and `,`. */
export const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** `::error file=…,line=…,col=…,title=…::message` */
export function annotation(
  level: 'error' | 'warning' | 'notice',
  message: string,
  props: { file?: string; line?: number; col?: number; title?: string } = {},
): string {
  const parts = Object.entries(props)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`);
  return `::${level}${parts.length ? ` ${parts.join(',')}` : ''}::${escapeData(plain(message))}`;
}

/**
 * `-r github` (enabled by the CLI when GITHUB_ACTIONS=true): failed scenarios become error
 * annotations on the scenario file's line, flaky ones warnings, so a pull request shows them
 * next to the YAML that failed.
 */
export const createReporter: ReporterFactory = (options): Reporter => {
  let printed = 0;
  let suppressed = 0;
  let multiEnv = false;
  // GitHub resolves annotation paths against the checkout root, not flowrun's cwd.
  const workspace = process.env.GITHUB_WORKSPACE;
  const relFile = (file: string): string => {
    const abs = path.resolve(options.cwd, file);
    return path
      .relative(workspace ?? options.cwd, abs)
      .split(path.sep)
      .join('/');
  };
  const emit = (line: string): void => {
    if (printed >= MAX_ANNOTATIONS) {
      suppressed++;
      return;
    }
    printed++;
    options.screen.out(line);
  };
  const at = (loc: Location | undefined) =>
    loc ? { file: relFile(loc.file), line: loc.line, col: loc.col } : {};

  return {
    onBegin(info) {
      multiEnv = info.environments.length > 1;
    },
    onScenarioEnd(s: ScenarioResult) {
      if (s.status === 'failed') {
        const f = firstFailure(s)!;
        const step = f.step ? ` › ${f.step.name}` : '';
        emit(
          annotation('error', f.message, { ...at(f.location), title: `${displayName(s, multiEnv)}${step}` }),
        );
      } else if (s.status === 'flaky') {
        emit(
          annotation('warning', `passed only on attempt ${s.attempts}: flaky`, {
            ...at(s.location),
            title: `flaky: ${s.name}${formatParams(s.parameters)}${multiEnv ? ` [${s.environment}]` : ''}`,
          }),
        );
      }
    },
    onError(error) {
      emit(annotation('error', error.message, { ...at(error.location), title: 'flowrun' }));
    },
    onEnd(result) {
      if (suppressed > 0) {
        options.screen.out(
          annotation('notice', `${suppressed} more annotations not shown; see the job log or reports`),
        );
      }
      if (result.interrupted)
        options.screen.out(annotation('warning', 'the run was interrupted', { title: 'flowrun' }));
    },
  };
};
