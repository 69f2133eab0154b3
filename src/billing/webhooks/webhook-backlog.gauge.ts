import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import { Gauge, register } from 'prom-client';
import { BACKLOG } from './webhook-metrics.js';
import { StripeEventsRepository } from './stripe-events.repository.js';

/** Pending, failed and dead events, counted in Postgres at scrape time, so every instance reports the same truth. */
@Injectable()
export class WebhookBacklogGauge implements OnModuleInit {
  constructor(
    private readonly events: StripeEventsRepository,
    private readonly cls: ClsService,
  ) {}

  onModuleInit(): void {
    const events = this.events;
    const cls = this.cls;
    if (register.getSingleMetric(BACKLOG)) register.removeSingleMetric(BACKLOG);
    new Gauge({
      name: BACKLOG,
      help: 'Stripe webhook events not yet applied, by status',
      labelNames: ['status'],
      async collect() {
        const backlog = await cls.run(() => events.backlog()).catch(() => undefined);
        if (!backlog) return;
        for (const [status, count] of Object.entries(backlog)) this.set({ status }, count);
      },
    });
  }
}
