import type { Command } from 'commander';
import { HeldOverageReports } from '../../billing/overage/held-overage-reports.js';
import type { HeldReportOutcome } from '../../billing/overage/overage-reports.repository.js';
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
      const released = await withCliContext((get) => get(HeldOverageReports).release(id, outcome, 'cli'));
      printResult({ released: released.id, outcome });
    });
}
