// A custom flowrun reporter: one line per run, e.g. for a Slack or Teams webhook.
//
//   flowrun scenarios/ -r console,./examples/reporters/slack-summary.js
//
// A reporter module exports `createReporter(options)` (or a default export: a factory, a class
// taking the options, or a reporter object). Every method is optional; flowrun calls them in
// order with plain JSON, secrets already masked. A reporter that throws becomes a run error,
// never a crash. `options` holds { outDir, cwd, screen, matrixFile }.

/** @type {import('flowrun').ReporterFactory} */
export function createReporter(options) {
  let failures = [];
  return {
    onScenarioEnd(result) {
      if (result.status === 'failed') failures.push(`${result.name} [${result.environment}]`);
    },
    onEnd(result) {
      const t = result.totals;
      const icon = t.failed === 0 && !result.interrupted ? ':white_check_mark:' : ':x:';
      const failed = failures.length
        ? ` Failed: ${failures.slice(0, 3).join('; ')}${failures.length > 3 ? '; …' : ''}`
        : '';
      const line =
        `${icon} flowrun ${result.environments.join(',')}: ${t.passed + t.flaky}/${t.scenarios - t.skipped} passed ` +
        `(${result.successRate.toFixed(1)}%), ${t.failed} failed, ${t.skipped} skipped in ${(result.durationMs / 1000).toFixed(1)}s.${failed}`;
      // A real one would POST `{ text: line }` to process.env.SLACK_WEBHOOK_URL here.
      options.screen.out(line);
      failures = [];
    },
  };
}
