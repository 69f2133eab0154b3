import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import {
  DataSource,
  type EntitySubscriberInterface,
  type QueryRunner,
  type TransactionCommitEvent,
  type TransactionRollbackEvent,
} from 'typeorm';
import { BILLING_EVENT, type NewBillingEvent } from '../common/events/billing-event.js';
import { transactionDepth } from '../internals/typeorm-transaction-depth.js';
import { BillingEventsRepository } from './billing-events.repository.js';
import { EVENTS_PUBLISHED } from './billing-stream-metrics.js';

const QUEUED = 'billingEvents';

interface Queued {
  event: NewBillingEvent;
  /** The transaction depth it was published at: a savepoint rolled back takes its events with it. */
  depth: number;
}

type Runner = QueryRunner & { data: Record<string, unknown> };

const queueOf = (runner: Runner) =>
  (runner.data[QUEUED] as Queued[] | undefined) ?? (runner.data[QUEUED] = [] as Queued[]);

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

  /** Every module's BillingEventPublisher.publish() lands here, in the caller's transaction. */
  @OnEvent(BILLING_EVENT, { suppressErrors: false })
  @Transactional()
  async publish(event: NewBillingEvent): Promise<void> {
    const runner = this.txHost.tx.queryRunner! as Runner;
    queueOf(runner).push({ event, depth: transactionDepth(runner) });
  }

  /** TypeORM also calls this when a savepoint is released: only the outermost commit writes. */
  async beforeTransactionCommit({ queryRunner }: TransactionCommitEvent): Promise<void> {
    const runner = queryRunner as Runner;
    if (transactionDepth(runner) > 1 || !runner.data?.[QUEUED]) return;
    const queued = queueOf(runner).splice(0);
    for (const { event } of queued)
      if (await this.events.insert(runner, event)) this.published.inc({ type: event.type });
  }

  /** Rolling back to a savepoint drops what was published inside it, and only that. */
  beforeTransactionRollback({ queryRunner }: TransactionRollbackEvent): void {
    const runner = queryRunner as Runner;
    if (!runner.data?.[QUEUED]) return;
    const depth = transactionDepth(runner);
    runner.data[QUEUED] = queueOf(runner).filter((queued) => queued.depth < depth);
  }
}
