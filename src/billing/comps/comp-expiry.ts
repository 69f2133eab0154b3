import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import { DatabaseOutage } from '../../database/database-outage.js';
import { EntitlementsService } from '../../entitlements/entitlements.service.js';
import { BillingService } from '../billing.service.js';

const SWEEP_MS = 15_000;

/** When a comp's end passes, the tenant returns to what Stripe says, on every instance within seconds. */
@Injectable()
export class CompExpiry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Comps');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly entitlements: EntitlementsService,
    private readonly billing: BillingService,
    private readonly cls: ClsService,
    private readonly outage: DatabaseOutage,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(): Promise<number> {
    return this.cls.run(async () => {
      const expired = await this.entitlements.expiredComps().catch((error: unknown) => {
        if (!this.outage.absorbs(error)) this.logger.error({ err: error }, 'could not look for expired comps');
        return [];
      });
      for (const { tenantId, env } of expired) {
        await this.billing
          .recomputeEntitlement(tenantId, env)
          .catch((error: unknown) => this.logger.error({ err: error, tenantId }, 'could not end a comp'));
      }
      return expired.length;
    });
  }
}
