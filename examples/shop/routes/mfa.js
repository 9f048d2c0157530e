import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpError, requireString } from '../lib/http.js';
import { newTotpSecret, verifyTotp } from '../lib/totp.js';
import { authenticate, publicUser } from './auth.js';

// A second login factor with an authenticator app (TOTP, RFC 6238):
//   POST /api/auth/mfa/setup   (bearer)  -> a new base32 secret and its otpauth:// URI
//   POST /api/auth/mfa/enable  (bearer)  { code } -> MFA on once a code from that secret is right
//   POST /api/auth/login                 -> { mfa_required: true, mfa_token } for such users
//   POST /api/auth/mfa/verify            { mfa_token, code } -> the bearer token

const MFA_TOKEN_SECONDS = 300;

const sign = (ctx, payload) => createHmac('sha256', ctx.mfaKey).update(payload).digest('base64url');

/** A short-lived token proving the password step: `<user id>.<expiry>.<signature>`. */
export function mfaToken(ctx, userId) {
  const payload = `${userId}.${Math.floor(Date.now() / 1000) + MFA_TOKEN_SECONDS}`;
  return `${payload}.${sign(ctx, payload)}`;
}

function userIdOf(ctx, token) {
  const m = /^(\d+)\.(\d+)\.([\w-]+)$/.exec(token);
  const invalid = () =>
    new HttpError(401, 'invalid_mfa_token', 'the MFA token is invalid or expired; log in again');
  if (!m) throw invalid();
  const expected = Buffer.from(sign(ctx, `${m[1]}.${m[2]}`));
  const given = Buffer.from(m[3]);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  if (Number(m[2]) < Date.now() / 1000) throw invalid();
  return Number(m[1]);
}

export function registerMfaRoutes(router) {
  router.add('POST', '/api/auth/mfa/setup', async ({ ctx, req }) => {
    const user = await authenticate(ctx, req);
    if (user.mfa_enabled) throw new HttpError(409, 'mfa_enabled', 'MFA is already enabled');
    const secret = newTotpSecret();
    await ctx.pool.query('UPDATE users SET mfa_secret = $2, updated_at = now() WHERE id = $1', [
      user.id,
      secret,
    ]);
    const label = encodeURIComponent(`Shop:${user.email}`);
    return {
      status: 200,
      body: { totp_secret: secret, otpauth_url: `otpauth://totp/${label}?secret=${secret}&issuer=Shop` },
    };
  });

  router.add('POST', '/api/auth/mfa/enable', async ({ ctx, req, body }) => {
    const user = await authenticate(ctx, req);
    if (user.mfa_enabled) throw new HttpError(409, 'mfa_enabled', 'MFA is already enabled');
    if (!user.mfa_secret) throw new HttpError(409, 'mfa_not_set_up', 'call /api/auth/mfa/setup first');
    if (!verifyTotp(user.mfa_secret, requireString(body, 'code', { max: 10 }))) {
      throw new HttpError(422, 'invalid_code', 'the code does not match the authenticator secret', {
        field: 'code',
      });
    }
    await ctx.pool.query('UPDATE users SET mfa_enabled = true, updated_at = now() WHERE id = $1', [user.id]);
    ctx.log.info('mfa enabled', { user_id: user.id });
    return { status: 200, body: { mfa_enabled: true } };
  });

  router.add('POST', '/api/auth/mfa/verify', async ({ ctx, body }) => {
    const userId = userIdOf(ctx, requireString(body, 'mfa_token', { max: 200 }));
    const code = requireString(body, 'code', { max: 10 });
    const { rows } = await ctx.pool.query('SELECT * FROM users WHERE id = $1 AND mfa_enabled', [userId]);
    if (!rows[0])
      throw new HttpError(401, 'invalid_mfa_token', 'the MFA token is invalid or expired; log in again');
    if (!verifyTotp(rows[0].mfa_secret, code)) {
      throw new HttpError(401, 'invalid_code', 'wrong one-time code');
    }
    const token = await ctx.store.sessions.create(rows[0]);
    return { status: 200, body: { access_token: token, token_type: 'bearer', user: publicUser(rows[0]) } };
  });
}
