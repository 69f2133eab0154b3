import { randomBytes } from 'node:crypto';
import { WEBHOOK_EVENT_TYPES } from '../../src/billing/webhooks/webhook-event-types.js';
import type { StripeSettings } from '../../src/billing/stripe/stripe-settings.js';
import { WebhookProcessor } from '../../src/billing/webhooks/webhook-processor.js';
import { startStripeEmulator, type StripeEmulator } from '../../src/stripe-emulator/emulator.js';
import { startTestApp, type TestApp } from './test-app.js';

export interface BillingTestApp extends TestApp {
  emulator: StripeEmulator;
  webhookSecret: string;
  /** Waits until every webhook is delivered and every stored event processed. */
  settle(): Promise<void>;
  /** Buys a plan the way a person does: checkout, then Pay on the hosted page with this card. */
  buy(apiKey: string, planId: string, card?: string): Promise<void>;
  emulatorControl(path: string, body?: unknown): Promise<any>;
}

/** The app with billing on, against its own emulator whose webhooks come back to it over HTTP. */
export async function startBillingApp(
  env: Record<string, string> = {},
  options: {
    extraWebhookSecrets?: string[];
    stripe?: Pick<StripeSettings, 'timeoutMs' | 'maxConcurrency' | 'requestBudgetMs'>;
  } = {},
): Promise<BillingTestApp> {
  const emulator = await startStripeEmulator({ port: 0, webhooks: { retryBaseMs: 50 } });
  const webhookSecret = `whsec_${randomBytes(16).toString('hex')}`;
  const settings = {
    secretKey: emulator.secretKey,
    apiBase: emulator.url,
    webhookSecrets: [webhookSecret, ...(options.extraWebhookSecrets ?? [])],
    mode: 'test' as const,
    emulated: true,
    // Generous: on a loaded machine a 1.5 s timeout turned a slow success into a failure (seen as run() returning 0).
    timeoutMs: 10_000,
    ...options.stripe,
  };
  const t = await startTestApp(env, undefined, settings);
  emulator.addWebhookEndpoint(`${t.baseUrl}/billing/webhook`, WEBHOOK_EVENT_TYPES, webhookSecret);
  const processor = t.app.get(WebhookProcessor);

  const settle = async () => {
    await emulator.idle();
    await processor.drain();
  };
  const emulatorControl = async (path: string, body: unknown = {}) =>
    (
      await fetch(`${emulator.url}/_emulator/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json();

  return {
    ...t,
    emulator,
    webhookSecret,
    settle,
    emulatorControl,
    async buy(apiKey, planId, card = '4242424242424242') {
      const checkout = await t.request('POST', '/billing/checkout', { token: apiKey, body: { plan_id: planId } });
      if (checkout.status !== 201) throw new Error(`checkout failed: ${JSON.stringify(checkout.body)}`);
      await fetch(checkout.body.url, {
        method: 'POST',
        body: new URLSearchParams({ card_number: card }),
        redirect: 'manual',
      });
      await settle();
    },
    async close() {
      await t.close();
      await emulator.stop();
    },
  };
}
