import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { register } from 'prom-client';
import { StripeModule } from '../../src/billing/stripe/stripe.module.js';
import type { StripeSettings } from '../../src/billing/stripe/stripe-settings.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { StripeEmulator } from '../../src/stripe-emulator/emulator.js';

export const emulatorSettings = (
  emulator: StripeEmulator,
  overrides: Partial<StripeSettings> = {},
): StripeSettings => ({
  secretKey: emulator.secretKey,
  apiBase: emulator.url,
  webhookSecrets: [],
  mode: 'test',
  emulated: false,
  ...overrides,
});

/** The Stripe module alone (gateway, provisioning), as the `stripe:setup` command builds it. */
export async function stripeContext(
  settings: StripeSettings,
  env: Record<string, string> = {},
): Promise<INestApplicationContext> {
  @Module({ imports: [ConfigModule.forRoot(loadConfig(env)), StripeModule.forRoot(settings, { bootstrap: false })] })
  class StripeTestModule {}
  const app = await NestFactory.createApplicationContext(StripeTestModule, { logger: false });
  const close = app.close.bind(app);
  return Object.assign(app, {
    close: async () => {
      await close();
      register.clear();
    },
  });
}
