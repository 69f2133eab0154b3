import type { DataSource } from 'typeorm';
import { rowsOf } from '../database/rows-of.js';

/** What the operator found: Stripe has the report (or it was billed another way), or Stripe has none and it must go again. */
export type HeldReportOutcome = 'reported' | 'resend';

export interface ReleasedReport {
  id: string;
  tenant_id: string;
  env: string;
  quantity: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Settles one report the reporter held back. `resend` starts afresh: the next round sends it with
 * the same identifier, which Stripe has long forgotten. Returns undefined when no such report is held.
 */
export async function releaseHeldReport(dataSource: DataSource, id: string, outcome: HeldReportOutcome): Promise<ReleasedReport | undefined> {
  if (!UUID.test(id)) throw new Error(`an overage report id is a UUID, not "${id}"`);
  const settle =
    outcome === 'reported'
      ? "status = 'reported', reported_at = now(), last_error = NULL"
      : "status = 'pending', uncertain_since = NULL, next_attempt_at = now(), last_error = NULL";
  const [row] = rowsOf<Omit<ReleasedReport, 'quantity'> & { quantity: string }>(
    await dataSource.query(`UPDATE overage_reports SET ${settle} WHERE id = $1 AND status = 'held' RETURNING id, tenant_id, env, quantity`, [id]),
  );
  return row && { ...row, quantity: Number(row.quantity) };
}
