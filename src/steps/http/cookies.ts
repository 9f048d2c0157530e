import { createRequire } from 'node:module';
import type { CookieJar } from 'tough-cookie';
import type { CookieStore } from './client.js';

// tough-cookie is loaded by the first Set-Cookie a scenario receives: runs without cookies never
// pay for it.
const load = createRequire(import.meta.url);
let tough: typeof import('tough-cookie') | undefined;
const toughCookie = () => (tough ??= load('tough-cookie') as typeof import('tough-cookie'));

/**
 * A scenario instance's cookie jar (RFC 6265 domain, path, expiry and Secure rules, from
 * tough-cookie). It is created empty and holds nothing until a response sets a cookie.
 */
export class Jar implements CookieStore {
  private jar?: CookieJar;

  header(url: string): string {
    return this.jar ? this.jar.getCookieStringSync(url) : '';
  }

  store(url: string, setCookie: string[]): void {
    const jar = (this.jar ??= new (toughCookie().CookieJar)());
    // A cookie the rules refuse (another domain, a bad Domain attribute) is left out, as browsers do.
    for (const c of setCookie) jar.setCookieSync(c, url, { ignoreError: true });
  }

  /** Name -> value of the cookies the jar would send to `url` (expired ones are gone). */
  values(url: string): Record<string, string> {
    const out: Record<string, string> = {};
    if (this.jar) for (const c of this.jar.getCookiesSync(url)) out[c.key] = c.value;
    return out;
  }
}

/** Name -> value of the cookies a response sets (with the jar off); expired ones are left out. */
export function responseCookies(setCookie: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!setCookie) return out;
  for (const line of setCookie) {
    const c = toughCookie().Cookie.parse(line);
    if (c && c.TTL() > 0) out[c.key] = c.value;
  }
  return out;
}
