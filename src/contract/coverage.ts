import type { ApiCoverage, ApiOperation, ApiSpecCoverage, ScenarioResult } from '../types.js';

/** The operations of one document, as a run or a report carries them. */
export interface ApiCatalog {
  spec: string;
  title?: string;
  openapi?: string;
  operations: ApiOperation[];
}

/**
 * API coverage from the operations of each document and the steps' contract records. Pure and
 * cheap (no OpenAPI parsing), so `flowrun merge` and `flowrun coverage` recompute it from
 * results: shards merged give the same numbers as one run.
 */
export function apiCoverage(catalogs: ApiCatalog[], scenarios: ScenarioResult[]): ApiCoverage {
  const bySpec = new Map<string, ApiSpecCoverage>();
  for (const c of catalogs) {
    let entry = bySpec.get(c.spec);
    if (!entry) {
      entry = {
        spec: c.spec,
        ...(c.title ? { title: c.title } : {}),
        ...(c.openapi ? { openapi: c.openapi } : {}),
        operations: [],
        covered: 0,
        total: 0,
        percent: 100,
        undocumented: [],
        violations: 0,
        warnings: 0,
      };
      bySpec.set(c.spec, entry);
    }
    for (const op of c.operations)
      if (!entry.operations.some((o) => o.id === op.id))
        entry.operations.push({ id: op.id, declared: [...op.declared], statuses: {} });
  }
  const undocumented = new Map<string, Map<string, number>>();
  for (const s of scenarios) {
    for (const step of s.steps) {
      const rec = step.contract;
      if (!rec) continue;
      const entry = bySpec.get(rec.spec);
      if (!entry) continue;
      for (const a of step.assertions) {
        if (a.source !== 'contract' || a.passed) continue;
        if (a.warning) entry.warnings++;
        else entry.violations++;
      }
      if (rec.undocumented) {
        const counts = undocumented.get(rec.spec) ?? new Map<string, number>();
        counts.set(rec.undocumented, (counts.get(rec.undocumented) ?? 0) + 1);
        undocumented.set(rec.spec, counts);
        continue;
      }
      const op = entry.operations.find((o) => o.id === rec.operation);
      if (op && rec.status !== undefined) {
        const key = String(rec.status);
        op.statuses[key] = (op.statuses[key] ?? 0) + 1;
      }
    }
  }
  for (const entry of bySpec.values()) {
    entry.total = entry.operations.length;
    entry.covered = entry.operations.filter((o) => Object.keys(o.statuses).length > 0).length;
    entry.percent = entry.total === 0 ? 100 : Math.round((entry.covered / entry.total) * 10_000) / 100;
    entry.undocumented = [...(undocumented.get(entry.spec) ?? new Map<string, number>())]
      .map(([request, count]) => ({ request, count }))
      .sort((a, b) => a.request.localeCompare(b.request));
  }
  return { specs: [...bySpec.values()] };
}

/** The catalogue part of a coverage (what a merge unions before recounting). */
export const catalogsOf = (api: ApiCoverage | undefined): ApiCatalog[] =>
  (api?.specs ?? []).map((s) => ({
    spec: s.spec,
    title: s.title,
    openapi: s.openapi,
    operations: s.operations.map((o) => ({ id: o.id, declared: o.declared })),
  }));

/** Overall percentage across documents (operations covered / operations). */
export function overallPercent(api: ApiCoverage): number {
  const total = api.specs.reduce((n, s) => n + s.total, 0);
  const covered = api.specs.reduce((n, s) => n + s.covered, 0);
  return total === 0 ? 100 : Math.round((covered / total) * 10_000) / 100;
}
