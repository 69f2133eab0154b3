import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { PlanPrices } from './plan-prices.js';
import { PlanProvisioner } from './plan-provisioner.js';
import { STRIPE_SETTINGS, type StripeSettings } from './stripe-settings.js';

/** With the local emulator, plans are provisioned into it at boot; with real Stripe, `npm run stripe:setup` does it once. */
@Injectable()
export class StripeBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('Stripe');

  constructor(
    @Inject(STRIPE_SETTINGS) private readonly settings: StripeSettings,
    private readonly provisioner: PlanProvisioner,
    private readonly prices: PlanPrices,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.settings.emulated) {
      const result = await this.provisioner.provision(this.prices.meterEventName);
      this.prices.use(result.prices, result.meterEventName);
      this.logger.log(`plans provisioned into the local Stripe emulator (${result.created.length} created)`);
      return;
    }
    const missing = this.prices.missing();
    if (missing.length > 0) {
      this.logger.warn(`no Stripe price configured for ${missing.join(', ')}: run \`npm run stripe:setup\``);
    }
  }
}
