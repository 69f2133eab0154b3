import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Command } from 'commander';
import { ClsModule, ClsService } from 'nestjs-cls';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { DomainEventsModule } from '../../common/events/domain-events.module.js';
import { AuditModule } from '../../audit/audit.module.js';
import { AuditTrail } from '../../common/events/audit-trail.js';
import { StripeEventRecord } from '../../billing/webhooks/stripe-event.entity.js';
import { type EventFilter, StripeEventsRepository } from '../../billing/webhooks/stripe-events.repository.js';
import { ConfigModule } from '../../config/config.module.js';
import { resolveDatabaseServer } from '../../database/database-server.js';
import { DatabaseModule } from '../../database/database.module.js';
import { loadRuntimeConfig } from '../../config/load-runtime-config.js';
import { printResult } from '../cli-context.js';

interface ReplayOptions {
  id?: string;
  type?: string;
  failed?: boolean;
  since?: string;
}

function filterFrom(options: ReplayOptions): EventFilter {
  if (!options.id && !options.type && !options.failed && !options.since)
    throw new Error('name what to replay: --id, --type, --failed and/or --since');
  const since = options.since ? new Date(options.since) : undefined;
  if (since && Number.isNaN(since.getTime()))
    throw new Error('--since must be a date or time, e.g. 2026-11-21T10:00:00Z');
  return { id: options.id, type: options.type, status: options.failed ? ['failed', 'dead'] : undefined, since };
}

export function registerWebhooksReplay(program: Command): void {
  program
    .command('webhooks:replay')
    .description(
      'queue stored Stripe events to be applied again (harmless for processed ones: handlers re-read Stripe)',
    )
    .option('--id <event>', 'one event, by id (evt_…)')
    .option('--type <type>', 'every event of a type, e.g. invoice.paid')
    .option('--failed', 'every failed or dead event')
    .option('--since <time>', 'events received since this time')
    .action(async (options: ReplayOptions) => {
      const filter = filterFrom(options);
      const { config } = loadRuntimeConfig();
      const database = await resolveDatabaseServer(config, (message) => process.stderr.write(`${message}\n`), 'cli');
      @Module({
        imports: [
          ConfigModule.forRoot(config),
          ClsModule.forRoot({ global: true }),
          EventEmitterModule.forRoot(),
          DatabaseModule.forRoot(database.url),
          DomainEventsModule,
          AuditModule,
          TypeOrmModule.forFeature([StripeEventRecord]),
        ],
        providers: [StripeEventsRepository],
      })
      class ReplayModule {}
      const app = await NestFactory.createApplicationContext(ReplayModule, { logger: ['error'] });
      try {
        const replayed = await app.get(ClsService).run(async () => {
          const ids = await app.get(StripeEventsRepository).requeue(filter);
          await app.get(AuditTrail).record({
            action: 'webhook.replayed',
            actor: { type: 'operator' },
            metadata: { filter: { ...filter, since: filter.since?.toISOString() }, count: ids.length, via: 'cli' },
          });
          return ids;
        });
        process.stderr.write(`${replayed.length} event(s) queued; a running service applies them within a second.\n`);
        printResult({ replayed });
      } finally {
        await app.close();
        await database.stop();
      }
    });
}
