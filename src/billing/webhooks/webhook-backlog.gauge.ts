import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import { registerScrapeTimeGauge } from '../../observability/scrape-time-gauge.js';
import { BACKLOG } from './webhook-metrics.js';
import { StripeEventsRepository } from './stripe-events.repository.js';

/** Pending, failed and dead events, counted in Postgres at scrape time. */
@Injectable()
export class WebhookBacklogGauge implements OnModuleInit {
  constructor(
    private readonly events: StripeEventsRepository,
    private readonly cls: ClsService,
  ) {}

  onModuleInit(): void {
    registerScrapeTimeGauge(
      { name: BACKLOG, help: 'Stripe webhook events not yet applied, by status', labelNames: ['status'] },
      async (gauge) => {
        const backlog = await this.cls.run(() => this.events.backlog());
        for (const [status, count] of Object.entries(backlog)) gauge.set({ status }, count);
      },
    );
  }
}
