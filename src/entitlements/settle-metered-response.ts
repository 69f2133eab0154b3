import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { UsageMeter } from '../usage/usage-meter.service.js';
import { UsageThresholds } from '../usage/usage-thresholds.js';
import { type MeterCharge, METER_CHARGE } from './meter-charge.js';

/**
 * Once a metered request is answered: a handler that failed (any 4xx or 5xx after the charge) gets
 * its units back; one that succeeded may have brought usage to 80% or 100% of the quota.
 */
@Injectable()
export class SettleMeteredResponse implements OnModuleInit {
  private readonly logger = new Logger('Metering');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly meter: UsageMeter,
    private readonly thresholds: UsageThresholds,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    // Callback style: the common case awaits nothing, and an async hook would cost promises on every request.
    fastify?.addHook('onResponse', (request, reply, done) => {
      const charge = (request as unknown as Record<symbol, MeterCharge | undefined>)[METER_CHARGE];
      if (!charge) return done();
      if (reply.statusCode < 400) {
        this.thresholds.observe(charge, charge.used);
        return done();
      }
      this.meter
        .refund(charge)
        .catch((error: unknown) => this.logger.error({ err: error, requestId: request.id }, 'refund failed'))
        .finally(() => done());
    });
  }
}
