import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { DataSource, type EntitySubscriberInterface, type TransactionCommitEvent, type TransactionRollbackEvent } from 'typeorm';
import type { NewBillingEvent } from './billing-event.payload.js';
import { BillingEventsRepository } from './billing-events.repository.js';
import { EVENTS_PUBLISHED } from './billing-stream-metrics.js';

const QUEUED = 'billingEvents';

/**
 * Publishes to the tenant's billing event stream. An event joins the caller's transaction and is
 * written just before it commits: it exists exactly when the change it describes does, and the
 * tenant's stream lock is held for the commit only, never across a Stripe call made later in the
 * same transaction.
 */
@Injectable()
export class BillingEvents implements OnModuleInit, EntitySubscriberInterface {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly dataSource: DataSource,
    private readonly events: BillingEventsRepository,
    @InjectMetric(EVENTS_PUBLISHED) private readonly published: Counter<string>,
  ) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
  }

  @Transactional()
  async publish(event: NewBillingEvent): Promise<void> {
    const runner = this.txHost.tx.queryRunner!;
    ((runner.data[QUEUED] as NewBillingEvent[] | undefined) ?? (runner.data[QUEUED] = [])).push(event);
  }

  async beforeTransactionCommit({ queryRunner }: TransactionCommitEvent): Promise<void> {
    const queued = queryRunner.data?.[QUEUED] as NewBillingEvent[] | undefined;
    if (!queued?.length) return;
    queryRunner.data[QUEUED] = [];
    for (const event of queued) if (await this.events.insert(queryRunner, event)) this.published.inc({ type: event.type });
  }

  beforeTransactionRollback({ queryRunner }: TransactionRollbackEvent): void {
    if (queryRunner.data?.[QUEUED]) queryRunner.data[QUEUED] = [];
  }
}
