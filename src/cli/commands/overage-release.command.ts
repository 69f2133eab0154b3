import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { Command } from 'commander';
import { AuditTrail } from '../../common/events/audit-trail.js';
import { type HeldReportOutcome, releaseHeldReport } from '../../billing/overage/overage-reports.repository.js';
import { printResult, withCliContext } from '../cli-context.js';

interface ReleaseOptions {
  reported?: boolean;
  resend?: boolean;
}

function outcomeFrom(options: ReleaseOptions): HeldReportOutcome {
  if (options.reported === options.resend)
    throw new Error(
      'say what you found in Stripe: --reported (it has the report, or it was billed another way) or --resend (it has none)',
    );
  return options.reported ? 'reported' : 'resend';
}

export function registerOverageRelease(program: Command): void {
  program
    .command('overage:release')
    .description('settle a pay-as-you-go overage report the reporter held back (docs/billing/stripe-runbook.md)')
    .argument('<report-id>', 'the held report, from overage_reports')
    .option('--reported', 'Stripe has this report, or it was billed another way: mark it reported')
    .option('--resend', 'Stripe has no such meter event: send it again')
    .action(async (id: string, options: ReleaseOptions) => {
      const outcome = outcomeFrom(options);
      // The release and its audit entry commit together, or neither does.
      const released = await withCliContext((get) => {
        const txHost = get<TransactionHost<TransactionalAdapterTypeOrm>>(TransactionHost);
        return txHost.withTransaction(async () => {
          const report = await releaseHeldReport(txHost.tx, id, outcome);
          if (!report) throw new Error(`no held overage report ${id}`);
          await get(AuditTrail).record({
            action: 'overage.released',
            actor: { type: 'operator' },
            tenantId: report.tenant_id,
            env: report.env,
            target: { type: 'overage_report', id: report.id },
            metadata: { quantity: report.quantity, outcome, via: 'cli' },
          });
          return report;
        });
      });
      printResult({ released: released.id, outcome });
    });
}
