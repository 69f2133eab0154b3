import { createHmac } from 'node:crypto';

/** `t=<unix>,v1=<hex HMAC-SHA256(secret, "t.payload")>`, as Stripe signs deliveries. */
export function signPayload(payload: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex');
  return `t=${timestamp},v1=${signature}`;
}
