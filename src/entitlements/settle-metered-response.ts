import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { UsageMeter } from '../usage/usage-meter.js';
import { UsageThresholds } from '../usage/usage-thresholds.js';
import { type MeterCharge, METER_CHARGE } from './meter-charge.js';

/**
 * As a metered request's answer is sent: a handler that failed (any 4xx or 5xx after the charge) gets
 * its units back before the answer leaves, so a client that retries at once finds them there again;
 * one that succeeded may have brought usage to 80% or 100% of the quota.
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
    fastify?.addHook('onSend', (request, reply, payload, done) => {
      const slots = request as unknown as Record<symbol, MeterCharge | undefined>;
      const charge = slots[METER_CHARGE];
      if (!charge) return done(null, payload);
      if (reply.statusCode < 400) {
        this.thresholds.observe(charge, charge.used);
        return done(null, payload);
      }
      // Settled once, should anything send a second answer.
      slots[METER_CHARGE] = undefined;
      this.meter
        .refund(charge)
        .catch((error: unknown) => this.logger.error({ err: error, requestId: request.id }, 'refund failed'))
        .finally(() => done(null, payload));
    });
  }
}
