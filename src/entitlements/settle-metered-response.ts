import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { UsageMeter } from '../usage/usage-meter.service.js';
import { type MeterCharge, METER_CHARGE } from './meter-charge.js';

/** A metered request whose handler fails (any 4xx or 5xx after the charge) gets its units back. */
@Injectable()
export class RefundOnFailure implements OnModuleInit {
  private readonly logger = new Logger('Metering');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly meter: UsageMeter,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    fastify?.addHook('onResponse', async (request, reply) => {
      const charge = (request as unknown as Record<symbol, MeterCharge | undefined>)[METER_CHARGE];
      if (!charge || reply.statusCode < 400) return;
      await this.meter.refund(charge, charge.windowStart!).catch((error: unknown) => this.logger.error({ err: error, requestId: request.id }, 'refund failed'));
    });
  }
}
