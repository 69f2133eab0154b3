import type { Command } from 'commander';
import type { EventFilter } from '../../billing/webhooks/stripe-events.repository.js';
import { StripeEventsService } from '../../billing/webhooks/stripe-events.service.js';
import { printResult, withCliContext } from '../cli-context.js';

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
      const replayed = await withCliContext((get) => get(StripeEventsService).requeue(filter, 'cli'));
      process.stderr.write(`${replayed.length} event(s) queued; a running service applies them within a second.\n`);
      printResult({ replayed });
    });
}
