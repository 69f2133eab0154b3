import { Inject, Injectable } from '@nestjs/common';
import { BillingError } from '../billing.errors.js';
import { StripeGateway } from './stripe-gateway.js';
import { STRIPE_SETTINGS, type StripeSettings } from './stripe-settings.js';

/** Stripe for an environment, or the coded reason there is none; billing code asks this, never checks for a missing gateway. */
export abstract class StripeConnection {
  abstract forEnv(env: string): StripeGateway;
}

/** This deployment's Stripe key serves one environment (test or live). */
@Injectable()
export class ConfiguredStripeConnection extends StripeConnection {
  constructor(
    private readonly gateway: StripeGateway,
    @Inject(STRIPE_SETTINGS) private readonly settings: StripeSettings,
  ) {
    super();
  }

  forEnv(env: string): StripeGateway {
    if (this.settings.mode !== env)
      throw new BillingError(
        'billing_env_unavailable',
        `This deployment has no Stripe key for the ${env} environment.`,
      );
    return this.gateway;
  }
}

/** ENABLE_BILLING=false: every Stripe action answers `billing_disabled`. */
@Injectable()
export class DisabledStripeConnection extends StripeConnection {
  forEnv(): StripeGateway {
    throw new BillingError('billing_disabled');
  }
}
