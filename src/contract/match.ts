/** A compiled path template such as `/articles/{slug}/comments/{id}`. */
export interface PathTemplate {
  re: RegExp;
  /** Number of `{param}` segments: fewer wins (`/articles/feed` before `/articles/{slug}`). */
  params: number;
  /** Characters outside parameters: more wins among equals. */
  literal: number;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function compilePath(template: string): PathTemplate {
  let params = 0;
  let literal = 0;
  const source = template
    .split(/(\{[^}/]+\})/)
    .map((part) => {
      if (/^\{[^}/]+\}$/.test(part)) {
        params++;
        return '([^/]+)';
      }
      literal += part.length;
      return escapeRe(part);
    })
    .join('');
  // A trailing slash is tolerated either way (`/pets/` matches `/pets`).
  return { re: new RegExp(`^${source.replace(/\/$/, '')}/?$`), params, literal };
}

/**
 * The operation a request path (already without the server's base path) belongs to: literal
 * segments beat templated ones, so `/articles/feed` is not taken for `/articles/{slug}`.
 */
export function matchPath<T extends { template: PathTemplate }>(
  candidates: T[],
  path: string,
): T | undefined {
  let best: T | undefined;
  for (const c of candidates) {
    if (!c.template.re.test(path)) continue;
    if (
      !best ||
      c.template.params < best.template.params ||
      (c.template.params === best.template.params && c.template.literal > best.template.literal)
    )
      best = c;
  }
  return best;
}

/** The request path below one of the servers' base paths (longest first), or undefined. */
export function stripBase(pathname: string, basePaths: string[]): string | undefined {
  for (const base of basePaths) {
    if (base === '') return pathname || '/';
    if (pathname === base) return '/';
    if (pathname.startsWith(`${base}/`)) return pathname.slice(base.length);
  }
  return undefined;
}
