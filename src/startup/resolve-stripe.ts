import path from 'node:path';
import { WEBHOOK_EVENT_TYPES } from '../billing/webhooks/webhook-event-types.js';
import { type StripeSettings, stripeModeOf } from '../billing/stripe/stripe-settings.js';
import type { AppConfig } from '../config/app-config.js';
import { startStripeEmulator } from '../stripe-emulator/emulator.js';

export interface StripeRuntime {
  settings: StripeSettings | null;
  stop(): Promise<void>;
}

const PREFERRED_EMULATOR_PORT = 12111;

/**
 * One state file per DATA_DIR, whatever the port: on 12111 if it is free, otherwise on any free port,
 * so a restart finds its customers and subscriptions again. The state file's lock refuses a second
 * emulator on the same DATA_DIR (say `npm run stripe:emulator`) instead of letting the two overwrite it.
 */
async function startLocalEmulator(stateFile: string) {
  try {
    return await startStripeEmulator({ stateFile, port: PREFERRED_EMULATOR_PORT });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return startStripeEmulator({ stateFile, port: 0 });
  }
}

/**
 * Billing disabled: no Stripe. A configured key: that Stripe (or STRIPE_API_BASE). No key outside
 * production: the local emulator, in this process, with its webhooks pointed at this service.
 */
export async function resolveStripe(config: AppConfig, log: (message: string) => void): Promise<StripeRuntime> {
  const { billing } = config;
  const none = async () => undefined;
  if (!billing.enabled) return { settings: null, stop: none };
  if (billing.stripeSecretKey) {
    const settings = {
      secretKey: billing.stripeSecretKey,
      apiBase: billing.stripeApiBase,
      webhookSecrets: billing.webhookSecrets,
      mode: stripeModeOf(billing.stripeSecretKey),
      emulated: false,
      maxConcurrency: billing.stripeMaxConcurrency,
    };
    return { settings, stop: none };
  }
  const stateFile = path.join(config.dataDir, 'stripe-emulator.json');
  const emulator = await startLocalEmulator(stateFile);
  const webhookSecret = emulator.addWebhookEndpoint(
    `http://127.0.0.1:${config.port}/billing/webhook`,
    WEBHOOK_EVENT_TYPES,
  );
  log(
    `STRIPE_SECRET_KEY is not set: billing runs against the local Stripe emulator at ${emulator.url} ` +
      `(test mode, state in ${stateFile}); its webhooks go to this service. ` +
      'Set STRIPE_SECRET_KEY to use a real Stripe account.',
  );
  return {
    settings: {
      secretKey: emulator.secretKey,
      apiBase: emulator.url,
      webhookSecrets: [webhookSecret],
      mode: 'test',
      emulated: true,
      maxConcurrency: billing.stripeMaxConcurrency,
    },
    stop: () => emulator.stop(),
  };
}
