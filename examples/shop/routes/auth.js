import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { HttpError, requireString } from '../lib/http.js';
import { mfaToken } from './mfa.js';

// Registration, login, opaque bearer tokens and the user's own profile.

const scrypt = promisify(scryptCb);
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

async function hashPassword(password) {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

async function verifyPassword(password, stored) {
  const [, salt, hash] = stored.split('$');
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length);
  return timingSafeEqual(actual, expected);
}

export function publicUser(row) {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    phone: row.phone,
    created_at: row.created_at.toISOString(),
  };
}

export function validateEmail(body) {
  const email = typeof body.email === 'string' ? body.email.trim() : body.email;
  if (typeof email !== 'string' || email.length > 254 || !EMAIL_RE.test(email)) {
    throw new HttpError(422, 'validation_error', 'email must be a valid e-mail address', { field: 'email' });
  }
  return email;
}

function validatePassword(body, field) {
  if (typeof body[field] !== 'string' || body[field].length < 8 || body[field].length > 200) {
    throw new HttpError(422, 'validation_error', `${field} must be at least 8 characters`, { field });
  }
  return body[field];
}

function optionalText(body, field) {
  if (body[field] === undefined || body[field] === null) return null;
  return requireString(body, field, { min: 0, max: 200 });
}

/** Resolves the bearer token to the user row, or answers 401. */
export async function authenticate(ctx, req) {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) {
    throw new HttpError(401, 'unauthorized', 'missing bearer token (Authorization: Bearer <token>)');
  }
  const userId = await ctx.store.sessions.get(match[1]);
  const { rows } = userId
    ? await ctx.pool.query('SELECT * FROM users WHERE id = $1', [userId])
    : { rows: [] };
  if (!rows[0]) throw new HttpError(401, 'unauthorized', 'invalid or expired token');
  return Object.assign(rows[0], { token: match[1] });
}

export function registerAuthRoutes(router) {
  router.add('POST', '/api/auth/register', async ({ ctx, body }) => {
    const email = validateEmail(body);
    const password = validatePassword(body, 'password');
    const name = optionalText(body, 'name');
    const phone = optionalText(body, 'phone');
    const hash = await hashPassword(password);
    // ON CONFLICT on the case-insensitive index: a duplicate is a 409, not a crash.
    const { rows } = await ctx.pool.query(
      `INSERT INTO users (email, name, phone, password_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING *`,
      [email, name, phone, hash],
    );
    if (!rows[0]) throw new HttpError(409, 'email_taken', `a user with email ${email} already exists`);
    const token = await ctx.store.sessions.create(rows[0]);
    ctx.log.info('user registered', { user_id: rows[0].id });
    const user = publicUser(rows[0]);
    return {
      status: 201,
      body: { user, access_token: token, token_type: 'bearer' },
      headers: { location: '/api/users/me' },
    };
  });

  router.add('POST', '/api/auth/login', async ({ ctx, body }) => {
    const email = validateEmail(body);
    const password = requireString(body, 'password', { max: 200 });
    // Failed attempts are limited per e-mail address: guessing passwords gets 429.
    const limitKey = email.toLowerCase();
    const wait = ctx.loginLimiter.retryAfter(limitKey);
    if (wait > 0) {
      throw new HttpError(
        429,
        'too_many_attempts',
        `too many failed logins for this account; retry in ${wait} s`,
        { retry_after: wait },
        { 'retry-after': String(wait) },
      );
    }
    const { rows } = await ctx.pool.query('SELECT * FROM users WHERE lower(email) = lower($1)', [email]);
    if (!rows[0] || !(await verifyPassword(password, rows[0].password_hash))) {
      ctx.loginLimiter.fail(limitKey);
      throw new HttpError(401, 'invalid_credentials', 'wrong email or password');
    }
    ctx.loginLimiter.reset(limitKey);
    // With a second factor the password alone gives no session, only a short-lived MFA token.
    if (rows[0].mfa_enabled) {
      return { status: 200, body: { mfa_required: true, mfa_token: mfaToken(ctx, rows[0].id) } };
    }
    const token = await ctx.store.sessions.create(rows[0]);
    return { status: 200, body: { access_token: token, token_type: 'bearer', user: publicUser(rows[0]) } };
  });

  router.add('POST', '/api/auth/logout', async ({ ctx, req }) => {
    const user = await authenticate(ctx, req);
    await ctx.store.sessions.delete(user.token);
    return { status: 204 };
  });

  router.add('GET', '/api/users/me', async ({ ctx, req }) => ({
    status: 200,
    body: publicUser(await authenticate(ctx, req)),
  }));

  router.add('PUT', '/api/users/me', async ({ ctx, req, body }) => {
    const user = await authenticate(ctx, req);
    if (body.email !== undefined && body.email !== user.email) {
      // The cart is keyed by e-mail (`cart:<email>`); changing it is not supported.
      throw new HttpError(422, 'email_immutable', 'the e-mail address cannot be changed', { field: 'email' });
    }
    const name = body.name === undefined ? user.name : optionalText(body, 'name');
    const phone = body.phone === undefined ? user.phone : optionalText(body, 'phone');
    const { rows } = await ctx.pool.query(
      'UPDATE users SET name = $2, phone = $3, updated_at = now() WHERE id = $1 RETURNING *',
      [user.id, name, phone],
    );
    return { status: 200, body: publicUser(rows[0]) };
  });

  const changePassword = async ({ ctx, req, body }) => {
    const user = await authenticate(ctx, req);
    // `old_password` is accepted as an alias: older clients send that name.
    const current = body.current_password ?? body.old_password;
    if (typeof current !== 'string' || !(await verifyPassword(current, user.password_hash))) {
      throw new HttpError(403, 'wrong_password', 'current_password does not match');
    }
    const next = validatePassword(body, 'new_password');
    await ctx.pool.query('UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1', [
      user.id,
      await hashPassword(next),
    ]);
    ctx.log.info('password changed', { user_id: user.id });
    return { status: 200, body: { status: 'password_changed' } };
  };
  router.add('POST', '/api/users/me/password', changePassword);
  router.add('POST', '/api/auth/change-password', changePassword);
}
