// A deliberately small HTTP layer on node:http: a path-pattern router, JSON bodies and
// one error type that carries the status code and a machine-readable error code.

const MAX_BODY_BYTES = 1024 * 1024;

export class HttpError extends Error {
  /**
   * @param {number} status HTTP status code
   * @param {string} code machine-readable error code, returned as `error`
   * @param {string} message human-readable explanation, returned as `message`
   * @param {Record<string, unknown>} [details] extra fields merged into the body
   * @param {Record<string, string>} [headers] extra response headers (e.g. Retry-After)
   */
  constructor(status, code, message, details = {}, headers = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

export function sendJson(res, status, body, headers = {}) {
  const payload = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

export async function readJson(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'payload_too_large', 'request body exceeds 1 MiB');
    chunks.push(chunk);
  }
  if (size === 0) return {};
  const text = Buffer.concat(chunks).toString('utf8');
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'request body is not valid JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, 'invalid_json', 'request body must be a JSON object');
  }
  return body;
}

export class Router {
  constructor() {
    this.routes = [];
  }

  /** Registers `handler(ctx)` for e.g. `GET /api/orders/:id`. */
  add(method, pattern, handler) {
    const names = [];
    const source = pattern
      .split('/')
      .map((part) => {
        if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(part.slice(1));
        return '([^/]+)';
      })
      .join('/');
    this.routes.push({ method, regex: new RegExp(`^${source}/?$`), names, handler });
    return this;
  }

  /** Finds the handler; distinguishes an unknown path (404) from a wrong method (405). */
  match(method, pathname) {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.regex.exec(pathname);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params = {};
      route.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1]);
      });
      return { handler: route.handler, params };
    }
    if (pathMatched) {
      throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${pathname}`);
    }
    throw new HttpError(404, 'not_found', `no route for ${method} ${pathname}`);
  }
}

/** Validation helpers: each throws a 422 naming the offending field. */
export function requireString(body, field, { min = 1, max = 1000 } = {}) {
  const value = body[field];
  if (typeof value !== 'string' || value.length < min || value.length > max) {
    throw new HttpError(422, 'validation_error', `${field} must be a string of ${min}..${max} characters`, {
      field,
    });
  }
  return value;
}

export function requirePositiveInt(body, field, { max = 1000 } = {}) {
  const value = body[field] ?? 1;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new HttpError(422, 'validation_error', `${field} must be an integer between 1 and ${max}`, {
      field,
    });
  }
  return value;
}
