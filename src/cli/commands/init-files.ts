/**
 * The files `flowrun init` writes: a small project that validates as written and runs against any
 * HTTP service with a /health endpoint. The `$schema` lines point at the installed package's
 * schemas (node_modules/flowrun/schemas), relative to each file, so editors with the YAML language
 * server complete and check keys.
 */

export interface InitFile {
  /** Relative to the project folder, with forward slashes. */
  path: string;
  content: string;
}

/** `# yaml-language-server: $schema=` with the path from `file` to the installed schema. */
function schemaLine(file: string, schema: string): string {
  const depth = file.split('/').length - 1;
  const up = depth === 0 ? './' : '../'.repeat(depth);
  return `# yaml-language-server: $schema=${up}node_modules/flowrun/schemas/${schema}.schema.json`;
}

export const DEFAULT_BASE_URL = 'http://localhost:3000';

export function initFiles(baseUrl: string): InitFile[] {
  const file = (path: string, schema: string | undefined, body: string): InitFile => ({
    path,
    content: `${schema ? `${schemaLine(path, schema)}\n` : ''}${body.trimStart()}`,
  });
  return [
    file(
      'flowrun.config.yaml',
      'config',
      `
# Defaults for every flowrun command run in this folder; command-line options win.
paths: [scenarios/]
env: local
reporters: [console, json, junit, html]
out: reports
matrix: integration-matrix.yaml
`,
    ),
    file(
      'environments/local.yaml',
      'environment',
      `
name: local
baseUrl: ${JSON.stringify(baseUrl)}      # relative URLs in scenarios resolve against it
http:
  timeout: 10s
# secrets:                              # read from the process environment, masked in every output
#   apiKey: "{{env.API_KEY}}"
# databases:
#   main: { url: "{{env.DATABASE_URL}}" }
# mocks:
#   payments: { port: 0 }               # an embedded mock server on a free port
`,
    ),
    file(
      'scenarios/flows/health.yaml',
      'flow',
      `
# A flow: steps shared by several scenarios through \`include:\` (folders named flows never run alone).
name: health check
inputs:
  path: /health                  # a default; a scenario can pass another with \`with:\`
steps:
  - name: the service is healthy
    http: { url: "{{path}}" }
    expect:
      status: 200
      duration: { lt: 2000 }     # milliseconds
`,
    ),
    file(
      'scenarios/example.yaml',
      'scenario',
      `
name: The service answers
tags: [smoke]
covers: ["api → health"]          # a point of integration-matrix.yaml
steps:
  - include: flows/health.yaml
  - name: the home page answers without a server error
    http: { url: / }
    expect:
      status: { lt: 500 }
`,
    ),
    file(
      'integration-matrix.yaml',
      'matrix',
      `
# The integration points of your system; scenarios name the ones they test in \`covers:\` and
# the matrix report shows each point as passed, failed, skipped or not covered.
integration_points:
  internal_modules:
    - "api → health"
    - "orders → payments"
  external_services:
    payment_gateways: [stripe]
`,
    ),
    file(
      '.github/workflows/flowrun.yml',
      undefined,
      `
# Runs the flowrun suite on every push and pull request and keeps the reports (JUnit XML, HTML).
name: flowrun
on: [push, pull_request]
jobs:
  flowrun:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with: { node-version: 20 }
      - run: npm ci
      # Start the system under test here, or let environments/local.yaml start it (services:).
      # markdown also writes the result and the matrix to the job's summary page.
      - run: npx flowrun --env local -r console,junit,html,markdown
      - uses: actions/upload-artifact@v4
        if: \${{ !cancelled() }}
        with:
          name: flowrun-reports
          path: reports/
`,
    ),
  ];
}

/** Added to .gitignore (created, or appended to when it lacks it). */
export const GITIGNORE_LINE = 'reports/';
