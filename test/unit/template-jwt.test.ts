import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { renderString, renderValue, renderValueAsync } from '../../src/template/render.js';

// RFC 7515 appendix A.1 (also RFC 7519 section 3.1): an HS256 JWS and its key.
const RFC_KEY = {
  kty: 'oct',
  k: 'AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow',
};
const RFC_TOKEN =
  'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const RFC_CLAIMS = { iss: 'joe', exp: 1300819380, 'http://example.com/is_root': true };

describe('jwt and jwtDecode', () => {
  it('jwtDecode reads the claims and the header of the RFC 7519 example', () => {
    assert.deepEqual(renderString('{{jwtDecode token}}', { token: RFC_TOKEN }), RFC_CLAIMS);
    assert.equal(renderString('{{lookup (jwtDecode token) "iss"}}', { token: RFC_TOKEN }), 'joe');
    assert.deepEqual(renderString('{{jwtDecode token header=true}}', { token: RFC_TOKEN }), {
      typ: 'JWT',
      alg: 'HS256',
    });
    assert.throws(() => renderString('{{jwtDecode "abc"}}', {}), /jwtDecode: not a JWT/);
  });

  it('signs HS256 with the RFC 7515 A.1 key (a JWK) so that the key verifies it, as it verifies the RFC token', async () => {
    const key = await importJWK(RFC_KEY, 'HS256');
    // The published token verifies with this key (checked at a time before its exp).
    const rfc = await jwtVerify(RFC_TOKEN, key, { currentDate: new Date(1300819000 * 1000) });
    assert.deepEqual(rfc.payload, RFC_CLAIMS);
    const token = (await renderValueAsync('{{jwt claims jwk}}', {
      claims: { iss: 'joe', 'http://example.com/is_root': true },
      jwk: RFC_KEY,
    })) as string;
    const ours = await jwtVerify(token, key);
    assert.equal(ours.payload.iss, 'joe');
    assert.equal(typeof ours.payload.iat, 'number');
    assert.deepEqual(decodeProtectedHeader(token), { alg: 'HS256', typ: 'JWT' });
  });

  it('HS256 with a text secret, expiresIn, kid; inside text and deep values', async () => {
    const out = (await renderValueAsync(
      { headers: { Authorization: 'Bearer {{jwt claims secret expiresIn="1h" kid="k1"}}' }, n: '{{count}}' },
      { claims: { sub: 'user-1', role: 'admin' }, secret: 'top-secret', count: 3 },
    )) as { headers: { Authorization: string }; n: number };
    assert.equal(out.n, 3);
    const token = out.headers.Authorization.replace(/^Bearer /, '');
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode('top-secret'));
    assert.equal(payload.sub, 'user-1');
    assert.equal(payload.role, 'admin');
    assert.equal(payload.exp! - payload.iat!, 3600);
    assert.equal(protectedHeader.kid, 'k1');
  });

  it('RS256 and ES256 with PEM private keys', async () => {
    for (const [alg, type, options] of [
      ['RS256', 'rsa', { modulusLength: 2048 }],
      ['ES256', 'ec', { namedCurve: 'P-256' }],
    ] as const) {
      const { privateKey, publicKey } = generateKeyPairSync(
        type as 'rsa',
        options as { modulusLength: number },
      );
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const token = (await renderValueAsync(`{{jwt claims key alg="${alg}"}}`, {
        claims: { sub: 'svc' },
        key: pem,
      })) as string;
      const { payload, protectedHeader } = await jwtVerify(token, publicKey);
      assert.equal(protectedHeader.alg, alg);
      assert.equal(payload.sub, 'svc');
    }
  });

  it('explains what it cannot do', async () => {
    await assert.rejects(
      renderValueAsync('{{jwt claims "k" alg="RS256"}}', { claims: {} }),
      /jwt: RS256 needs a PEM \(PKCS#8\) private key or a JWK/,
    );
    await assert.rejects(renderValueAsync('{{jwt "x" "k"}}', {}), /jwt: the claims must be a map, got "x"/);
    await assert.rejects(
      renderValueAsync('{{base64 (jwt claims "k")}}', { claims: {} }),
      /the result of jwt cannot be passed to another helper; put it in a var first/,
    );
    assert.throws(
      () => renderValue('{{jwt claims "k"}}', { claims: {} }),
      /jwt is computed asynchronously and is not available here/,
    );
  });
});
