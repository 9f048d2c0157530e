import type { HelperDelegate } from 'handlebars';
import { decodeJwt, decodeProtectedHeader, importJWK, importPKCS8, SignJWT, type JWK } from 'jose';
import { choice, show, split } from './args.js';

const ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'ES256', 'PS256'] as const;

/**
 * The signing key: a JWK (object or JSON text), a PKCS#8 PEM private key (RS256/ES256/PS256), or
 * for HS* the secret's UTF-8 bytes.
 */
export async function signingKey(key: unknown, alg: (typeof ALGORITHMS)[number]) {
  const jwk =
    key !== null && typeof key === 'object'
      ? (key as JWK)
      : typeof key === 'string' && key.trim().startsWith('{')
        ? (JSON.parse(key) as JWK)
        : undefined;
  if (jwk) return importJWK(jwk, alg);
  if (typeof key !== 'string' || key === '')
    throw new Error(`jwt: the key must be a secret, a PEM key or a JWK, got ${show(key)}`);
  if (key.includes('-----BEGIN')) return importPKCS8(key, alg);
  if (!alg.startsWith('HS')) throw new Error(`jwt: ${alg} needs a PEM (PKCS#8) private key or a JWK`);
  return new TextEncoder().encode(key);
}

/** `jwt claims key [alg=HS256 expiresIn=1h kid=...]`: a signed JWT (asynchronous: jose signs with WebCrypto). */
export async function signJwt(claims: unknown, key: unknown, hash: Record<string, unknown>): Promise<string> {
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims))
    throw new Error(`jwt: the claims must be a map, got ${show(claims)}`);
  const alg = choice('jwt', 'alg', hash.alg, ALGORITHMS, 'HS256');
  const token = new SignJWT(claims as Record<string, unknown>).setProtectedHeader({
    alg,
    typ: 'JWT',
    ...(hash.kid !== undefined ? { kid: String(hash.kid) } : {}),
  });
  if (!('iat' in claims)) token.setIssuedAt();
  if (hash.expiresIn !== undefined) token.setExpirationTime(String(hash.expiresIn));
  return token.sign(await signingKey(key, alg));
}

export const jwtHelpers: Record<string, HelperDelegate> = {
  /** The claims of a token (not verified: for reading what a server issued); `header=true` for its header. */
  jwtDecode: (...list: unknown[]) => {
    const { args, hash } = split(list);
    const [token] = args;
    if (typeof token !== 'string') throw new Error(`jwtDecode: expected a token, got ${show(token)}`);
    try {
      return hash.header === true ? decodeProtectedHeader(token) : decodeJwt(token);
    } catch (error) {
      throw new Error(`jwtDecode: not a JWT (${(error as Error).message})`, { cause: error });
    }
  },
};
