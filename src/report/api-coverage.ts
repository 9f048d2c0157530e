import type { ApiCoverage, ApiSpecCoverage } from '../types.js';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `Articles API (openapi.yaml)` or the path alone. */
export const specLabel = (s: ApiSpecCoverage): string => (s.title ? `${s.title} (${s.spec})` : s.spec);

/** One line per document: operations covered, violations, undocumented requests. */
export function coverageSummary(api: ApiCoverage): string[] {
  return api.specs.map((s) => {
    const parts = [`${s.covered}/${s.total} operations (${s.percent.toFixed(1)}%) of ${specLabel(s)}`];
    if (s.violations) parts.push(plural(s.violations, 'contract violation'));
    if (s.warnings) parts.push(`${plural(s.warnings, 'contract warning')} (contract: warn)`);
    const undocumented = s.undocumented.reduce((n, u) => n + u.count, 0);
    if (undocumented) parts.push(plural(undocumented, 'undocumented request'));
    return parts.join(' · ');
  });
}

/** The operations of each document with the statuses seen, those never exercised, and undocumented requests. */
export function coverageList(api: ApiCoverage): string[] {
  const out: string[] = [];
  for (const s of api.specs) {
    out.push(`${specLabel(s)}: ${s.covered}/${s.total} operations (${s.percent.toFixed(1)}%)`);
    const width = Math.max(0, ...s.operations.map((o) => o.id.length));
    for (const o of s.operations) {
      const seen = Object.keys(o.statuses);
      out.push(
        seen.length
          ? `  ✓ ${o.id.padEnd(width)}  ${seen.map((k) => `${k}×${o.statuses[k]}`).join(' ')}`
          : `  ✗ ${o.id.padEnd(width)}  never exercised (declared: ${o.declared.join(', ') || 'none'})`,
      );
    }
    for (const u of s.undocumented)
      out.push(`  ? ${u.request}  undocumented (${plural(u.count, 'request')})`);
  }
  return out;
}
