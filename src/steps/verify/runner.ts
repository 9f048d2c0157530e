import { FlowrunError, InterruptedError, StepError } from '../../errors.js';
import { getMockDrivers, pickDriver } from '../../mock/index.js';
import { requestSummary } from '../../mock/journal.js';
import { normalizeMatcher, parseDuration, templateRequest, type RequestMatcher } from '../../mock/model.js';
import { evaluateVerification, normalizeTimes, type VerifyOutcome } from '../../mock/verify.js';
import { sleep } from '../../util/time.js';
import type { StepContext, StepOutput, StepRunner } from '../types.js';

/** The `verify:` block after rendering. */
export interface VerifyConfig {
  /** An expectation id from the scenario's `mocks:`. */
  mock?: string;
  /** A mock server name from the environment (with `request`). */
  server?: string;
  /** An inline request matcher, as in `mocks[].request`. */
  request?: unknown;
  /** `{ exactly | atLeast | atMost }`; default at least once. */
  times?: unknown;
  /** Partial JSON every matched request must satisfy. */
  json?: unknown;
  /** Header conditions every matched request must satisfy. */
  headers?: Record<string, unknown>;
  /** Wait up to this long (e.g. `5s`) for asynchronous calls. */
  within?: string | number;
}

const POLL_MS = 100;

/** Turns a spec error into a step error at the step's location. */
function located<T>(ctx: StepContext, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof FlowrunError && !(error instanceof StepError)) {
      throw new StepError(error.message, { code: error.code, location: ctx.location, hint: error.hint });
    }
    throw error;
  }
}

export const verifyRunner: StepRunner<VerifyConfig> = {
  kind: 'verify',
  expect: { count: 'value' },

  async run(config: VerifyConfig, ctx: StepContext): Promise<StepOutput> {
    const drivers = await getMockDrivers(ctx.resources);
    const scopeId = ctx.scenario.id;
    let server: string;
    let matcher: RequestMatcher;
    let label: string;
    if (config.mock !== undefined) {
      const spec = ctx.scenario.mocks.find((m) => m.id === config.mock);
      if (!spec) {
        const known = ctx.scenario.mocks.map((m) => m.id);
        throw new StepError(
          `verify: unknown mock "${config.mock}"${known.length ? ` (this scenario's mocks: ${known.join(', ')})` : ' (this scenario has no mocks:)'}`,
          { location: ctx.location },
        );
      }
      server = spec.server;
      const found = pickDriver(drivers, server).matcherOf(scopeId, spec.id);
      if (!found)
        throw new StepError(`verify: mock "${spec.id}" is not registered on ${server}`, {
          location: ctx.location,
        });
      matcher = found;
      label = `mock "${spec.id}" on ${server}`;
    } else {
      if (!config.server) throw new StepError('verify: request needs server', { location: ctx.location });
      server = config.server;
      matcher = located(ctx, () => normalizeMatcher(config.request, 'verify request'));
      label = `on ${server}`;
    }
    const driver = pickDriver(drivers, server);
    const times = located(ctx, () => normalizeTimes(config.times));
    const headers = located(ctx, () => normalizeMatcher({ headers: config.headers ?? {} }, 'verify').headers);
    const withinMs =
      config.within === undefined ? 0 : located(ctx, () => parseDuration(config.within, 'verify within'));
    // An upper bound (exactly, atMost) must hold for the whole window: the step watches until
    // `within` ends and fails as soon as one call too many arrives. Without one (atLeast) it
    // ends as soon as the expectation holds.
    const watchWindow = times.atMost !== undefined;
    const deadline = Math.min(Date.now() + withinMs, ctx.deadline);

    let outcome: VerifyOutcome;
    let polls = 0;
    for (;;) {
      const { requests, dropped } = await driver.requests(scopeId);
      polls++;
      outcome = evaluateVerification({
        requests,
        dropped,
        matcher,
        label,
        server,
        times,
        json: config.json,
        headers,
      });
      if (withinMs === 0) break;
      if (watchWindow ? outcome.count > times.atMost! : outcome.passed) break;
      const left = deadline - Date.now();
      if (left <= 0) break;
      if (ctx.signal.aborted) throw new InterruptedError();
      await sleep(Math.min(POLL_MS, left), ctx.signal);
    }
    if (!outcome.passed && withinMs > 0) {
      const waited = `(waited up to ${config.within}, ${polls} checks)`;
      outcome.assertions = outcome.assertions.map((a) =>
        a.passed || !a.message ? a : { ...a, message: a.message.replace(/\n|$/, ` ${waited}\n`).trimEnd() },
      );
    }
    const requests = outcome.matched.map((r) => ({ ...templateRequest(r), rawBody: r.body, at: r.at }));
    return {
      values: { count: outcome.count },
      root: { requests, count: outcome.count },
      ...(requests.length ? { scope: { request: requests[0] } } : {}),
      summary: {
        server,
        count: outcome.count,
        matched: outcome.matched.slice(0, 20).map((r) => requestSummary(r)),
      },
      assertions: outcome.assertions.map((a) => ({ ...a, location: ctx.location })),
    };
  },
};
