import { isUUID } from 'class-validator';
import { rowsOf } from '../database/rows-of.js';
import { STRIPE_MAX_AGE_DAYS } from './stripe-meter-limits.js';
import type { Executor } from './usage-meter.service.js';

/** What the operator found: Stripe has the report (or it was billed another way), or Stripe has none and it must go again. */
export type HeldReportOutcome = 'reported' | 'resend';

export interface ReleasedReport {
  id: string;
  tenant_id: string;
  env: string;
  quantity: number;
}

/**
 * Settles one report the reporter held back. `resend` starts afresh: the next round sends it with
 * the same identifier, which Stripe has long forgotten; a report too old for Stripe cannot be
 * resent. Returns undefined when no such report is held.
 */
export async function releaseHeldReport(db: Executor, id: string, outcome: HeldReportOutcome): Promise<ReleasedReport | undefined> {
  if (!isUUID(id, 'loose')) throw new Error(`an overage report id is a UUID, not "${id}"`);
  const [held] = rowsOf<{ too_old: boolean }>(
    await db.query(`SELECT created_at < now() - make_interval(days => $2) AS too_old FROM overage_reports WHERE id = $1 AND status = 'held' FOR UPDATE`, [id, STRIPE_MAX_AGE_DAYS]),
  );
  if (!held) return undefined;
  if (outcome === 'resend' && held.too_old) throw new Error(`report ${id} is older than ${STRIPE_MAX_AGE_DAYS} days, too old for Stripe: bill it another way, then release it --reported`);
  const settle =
    outcome === 'reported'
      ? "status = 'reported', reported_at = now(), last_error = NULL"
      : "status = 'pending', uncertain_since = NULL, next_attempt_at = now(), last_error = NULL";
  const [row] = rowsOf<Omit<ReleasedReport, 'quantity'> & { quantity: string }>(
    await db.query(`UPDATE overage_reports SET ${settle} WHERE id = $1 RETURNING id, tenant_id, env, quantity`, [id]),
  );
  return { ...row, quantity: Number(row.quantity) };
}
