import { isUUID } from 'class-validator';
import type { Executor } from '../database/executor.js';
import { rowsOf } from '../database/rows-of.js';
import { STRIPE_MAX_AGE_DAYS } from './stripe-meter-limits.js';

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
 * resent. Returns undefined when no such report is held. One conditional statement, so the check
 * and the write cannot come apart, inside a caller's transaction or not.
 */
export async function releaseHeldReport(db: Executor, id: string, outcome: HeldReportOutcome): Promise<ReleasedReport | undefined> {
  if (!isUUID(id, 'loose')) throw new Error(`an overage report id is a UUID, not "${id}"`);
  const settle =
    outcome === 'reported'
      ? "status = 'reported', reported_at = now(), last_error = NULL"
      : "status = 'pending', uncertain_since = NULL, next_attempt_at = now(), last_error = NULL";
  const [row] = rowsOf<Omit<ReleasedReport, 'quantity'> & { quantity: string }>(
    await db.query(
      `UPDATE overage_reports SET ${settle}
       WHERE id = $1 AND status = 'held' AND ($2 OR created_at >= now() - make_interval(days => $3))
       RETURNING id, tenant_id, env, quantity`,
      [id, outcome === 'reported', STRIPE_MAX_AGE_DAYS],
    ),
  );
  if (row) return { ...row, quantity: Number(row.quantity) };
  // Not released: either no such report is held, or it is too old to send again.
  const [held] = rowsOf<unknown>(await db.query(`SELECT 1 FROM overage_reports WHERE id = $1 AND status = 'held'`, [id]));
  if (held && outcome === 'resend') throw new Error(`report ${id} is older than ${STRIPE_MAX_AGE_DAYS} days, too old for Stripe: bill it another way, then release it --reported`);
  return undefined;
}
