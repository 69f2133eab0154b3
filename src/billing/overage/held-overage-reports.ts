import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Injectable } from '@nestjs/common';
import { AuditTrail } from '../../common/events/audit-trail.js';
import { type HeldReportOutcome, releaseHeldReport, type ReleasedReport } from './overage-reports.repository.js';

/** An operator settling a report the reporter held back (docs/billing/stripe-runbook.md). */
@Injectable()
export class HeldOverageReports {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly audit: AuditTrail,
  ) {}

  /** The release and its audit entry commit together, or neither does. */
  release(id: string, outcome: HeldReportOutcome, via: string): Promise<ReleasedReport> {
    return this.txHost.withTransaction(async () => {
      const report = await releaseHeldReport(this.txHost.tx, id, outcome);
      if (!report) throw new Error(`no held overage report ${id}`);
      await this.audit.record({
        action: 'overage.released',
        actor: { type: 'operator' },
        tenantId: report.tenant_id,
        env: report.env,
        target: { type: 'overage_report', id: report.id },
        metadata: { quantity: report.quantity, outcome, via },
      });
      return report;
    });
  }
}
