import { createHmac, randomUUID } from 'node:crypto';

// Order webhooks to referral partners: an order placed with `partner: <name>` is announced to
// PARTNER_WEBHOOK_URL as `POST /webhooks/orders`, signed with HMAC-SHA256 over the exact body
// (`X-Signature: sha256=<hex>`), after the order is answered. One attempt, bounded by the
// outbound timeout; a failure is logged, never shown to the buyer.

export function createPartnerNotifier(config, log) {
  return {
    orderCreated(order, partner) {
      if (!config.partnerWebhookUrl) return;
      const body = JSON.stringify({
        event: 'order.created',
        partner,
        order_id: order.id,
        total: order.total,
        currency: order.currency,
        created_at: order.created_at,
      });
      const signature = createHmac('sha256', config.partnerWebhookSecret).update(body).digest('hex');
      const send = async () => {
        const url = `${config.partnerWebhookUrl}/webhooks/orders`;
        try {
          const res = await fetch(url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-signature': `sha256=${signature}`,
              'x-delivery-id': randomUUID(),
            },
            body,
            signal: AbortSignal.timeout(config.outboundTimeoutMs),
          });
          await res.arrayBuffer();
          log.info('partner webhook', { partner, order_id: order.id, status: res.status });
        } catch (err) {
          log.warn('partner webhook failed', { partner, order_id: order.id, err: err.message });
        }
      };
      setImmediate(() => void send());
      if (config.bugs.has('duplicate-webhook')) setTimeout(() => void send(), 500);
    },
  };
}
