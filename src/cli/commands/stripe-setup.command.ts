import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Command } from 'commander';
import path from 'node:path';
import { WEBHOOK_EVENT_TYPES } from '../../billing/webhooks/webhook-event-types.js';
import { PlanProvisioner } from '../../billing/stripe/plan-provisioner.js';
import { StripeModule } from '../../billing/stripe/stripe.module.js';
import { stripeModeOf, type StripeSettings } from '../../billing/stripe/stripe-settings.js';
import { maskSecret } from '../../config/config-summary.js';
import { ConfigModule } from '../../config/config.module.js';
import { loadRuntimeConfig } from '../../config/load-runtime-config.js';
import { printResult } from '../cli-context.js';
import { updateEnvFile } from '../env-file.js';

const say = (message: string) => process.stderr.write(`${message}\n`);

const NO_KEY = `STRIPE_SECRET_KEY is not set.
  Real Stripe (test mode): export STRIPE_SECRET_KEY=sk_test_… (Dashboard → Developers → API keys).
  Local emulator: run \`npm run stripe:emulator\` in another terminal, then
    STRIPE_SECRET_KEY=sk_test_emulator STRIPE_API_BASE=http://127.0.0.1:12111 npm run stripe:setup`;

export function registerStripeSetup(program: Command): void {
  program
    .command('stripe:setup')
    .description(
      'create the plan prices, the overage meter and its price in Stripe (idempotent); write their ids to .env.local',
    )
    .option('--live', 'allow a live-mode key (real money)')
    // Not --env-file: Node 20 reads that flag from anywhere in argv, even after the script's name.
    .option('--output <file>', 'where to write the ids', '.env.local')
    .action(async (options: { live?: boolean; output: string }) => {
      const { config } = loadRuntimeConfig();
      const key = config.billing.stripeSecretKey;
      if (!key) throw new Error(NO_KEY);
      const mode = stripeModeOf(key);
      say(`Stripe ${mode} mode (${maskSecret(key)}) at ${config.billing.stripeApiBase ?? 'https://api.stripe.com'}`);
      if (mode === 'live' && !options.live)
        throw new Error('that is a live-mode key: charges would be real. Re-run with --live if you mean it.');

      const settings: StripeSettings = {
        secretKey: key,
        apiBase: config.billing.stripeApiBase,
        webhookSecrets: [],
        mode,
        emulated: false,
      };
      @Module({ imports: [ConfigModule.forRoot(config), StripeModule.forRoot(settings, { bootstrap: false })] })
      class SetupModule {}
      const app = await NestFactory.createApplicationContext(SetupModule, { logger: ['error'] });
      try {
        const result = await app.get(PlanProvisioner).provision(config.billing.meterEventName);
        const file = path.resolve(options.output);
        updateEnvFile(file, {
          STRIPE_PRICE_STARTER: result.prices.starter,
          STRIPE_PRICE_PRO: result.prices.pro,
          STRIPE_PRICE_ENTERPRISE: result.prices.enterprise,
          STRIPE_PRICE_OVERAGE: result.prices.overage,
          STRIPE_METER_EVENT_NAME: result.meterEventName,
        });
        say(
          result.created.length
            ? `Created: ${result.created.join(', ')}`
            : 'Everything already existed; nothing was created.',
        );
        say(`Wrote the price ids to ${file} (readable by you only).`);
        say(`Next:
  1. Webhooks: point an endpoint at https://<your host>/billing/webhook for ${WEBHOOK_EVENT_TYPES.join(', ')},
     and set STRIPE_WEBHOOK_SECRET to its signing secret (locally: \`stripe listen --forward-to localhost:3000/billing/webhook\`).
  2. Restart the service so it reads ${path.basename(file)}.`);
        printResult({
          mode,
          prices: result.prices,
          meter_id: result.meterId,
          meter_event_name: result.meterEventName,
          created: result.created.length,
          env_file: file,
        });
      } finally {
        await app.close();
      }
    });
}
