// Clients for the external services: payment gateway, shipping provider, email service.
// Every call has a timeout, and every failure (unreachable, timeout, non-2xx, non-JSON)
// becomes a GatewayError naming the service, so the API can answer 502 with a clear body.

export class GatewayError extends Error {
  constructor(service, message, { status, body } = {}) {
    super(`${service}: ${message}`);
    this.service = service;
    this.upstreamStatus = status;
    this.upstreamBody = body;
  }
}

async function call(service, baseUrl, method, path, { body, timeoutMs, log }) {
  if (!baseUrl) throw new GatewayError(service, `not configured (set ${service.toUpperCase()}_URL)`);
  const url = baseUrl + path;
  const started = performance.now();
  let res;
  try {
    res = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const reason =
      err?.name === 'TimeoutError'
        ? `no response within ${timeoutMs} ms`
        : `unreachable (${err.cause?.code ?? err.message})`;
    log.warn('outbound call failed', { service, method, url, reason });
    throw new GatewayError(service, reason);
  }
  const text = await res.text();
  const ms = Math.round(performance.now() - started);
  log.info('outbound call', { service, method, url, status: res.status, ms });
  let json;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  if (!res.ok) {
    throw new GatewayError(service, `${method} ${path} answered ${res.status}`, {
      status: res.status,
      body: json ?? text,
    });
  }
  return { status: res.status, json, text };
}

export function createGateways(config, log) {
  const opts = (body) => ({ body, timeoutMs: config.outboundTimeoutMs, log });
  return {
    payments: {
      /** Charges `amount` roubles; resolves to { id, status } with status succeeded|failed. */
      async charge({ amount, orderId, description, gateway }) {
        const body = { amount, currency: 'RUB', order_id: orderId, description };
        if (gateway) body.gateway = gateway;
        const { json } = await call('payment', config.paymentUrl, 'POST', '/api/v1/payments', opts(body));
        if (!json || typeof json.status !== 'string') {
          throw new GatewayError('payment', 'response has no "status" field', { body: json });
        }
        return { id: json.id === undefined ? null : String(json.id), status: json.status, raw: json };
      },
      async status(paymentId) {
        const path = `/api/v1/payments/${encodeURIComponent(paymentId)}`;
        const { json } = await call('payment', config.paymentUrl, 'GET', path, opts(undefined));
        if (!json || typeof json.status !== 'string') {
          throw new GatewayError('payment', 'response has no "status" field', { body: json });
        }
        return { id: paymentId, status: json.status, raw: json };
      },
      async refund({ paymentId, amount }) {
        const body = { payment_id: paymentId, amount };
        const { json } = await call('payment', config.paymentUrl, 'POST', '/api/v1/refunds', opts(body));
        return {
          id: json?.id === undefined ? null : String(json.id),
          status: json?.status ?? 'pending',
          raw: json,
        };
      },
    },
    shipping: {
      configured: Boolean(config.shippingUrl),
      async rates(request) {
        return (await call('shipping', config.shippingUrl, 'POST', '/api/v1/rates', opts(request))).json;
      },
      async createShipment({ orderId, address, items }) {
        const body = { order_id: orderId, address, items };
        const { json } = await call('shipping', config.shippingUrl, 'POST', '/api/v1/shipments', opts(body));
        const trackingNumber = json?.tracking_number ?? json?.trackingNumber;
        if (!trackingNumber)
          throw new GatewayError('shipping', 'response has no "tracking_number"', { body: json });
        return { id: json.id === undefined ? null : String(json.id), trackingNumber: String(trackingNumber) };
      },
      async track(trackingNumber) {
        const path = `/api/v1/shipments/${encodeURIComponent(trackingNumber)}`;
        return (await call('shipping', config.shippingUrl, 'GET', path, opts(undefined))).json;
      },
    },
    email: {
      configured: Boolean(config.emailUrl),
      async send(message) {
        await call('email', config.emailUrl, 'POST', '/api/v1/emails/send', opts(message));
      },
    },
  };
}
