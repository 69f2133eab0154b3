import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import type { Executor } from '../../database/executor.js';
import { rowsOf } from '../../database/rows-of.js';
import { RESEND_WITHIN_HOURS, STRIPE_MAX_AGE_DAYS } from './stripe-meter-limits.js';

export interface DueReport {
  id: string;
  env: string;
  stripe_customer_id: string;
  quantity: string;
  attempts: number;
  created_at: Date;
  /** When an earlier attempt first may have reached Stripe; null if none could have. */
  uncertain_before: Date | null;
}

export interface HeldReport {
  id: string;
  tenant_id: string;
  env: string;
  quantity: string;
  last_error: string;
}

/** What the operator found: Stripe has the report (or it was billed another way), or Stripe has none and it must go again. */
export type HeldReportOutcome = 'reported' | 'resend';

export interface ReleasedReport {
  id: string;
  tenant_id: string;
  env: string;
  quantity: number;
}

const HELD_UNCERTAIN = `held: an attempt may have reached Stripe over ${RESEND_WITHIN_HOURS} hours ago, and Stripe no longer recognises the identifier after 24; check the meter events, then overage:release`;
const HELD_TOO_OLD = `held: older than ${STRIPE_MAX_AGE_DAYS} days, and Stripe takes meter events up to 35 days old; bill it another way, then overage:release --reported`;

/** overage_reports: PAYG overage grouped per tenant, on its way to the Stripe Billing Meter. */
@Injectable()
export class OverageReportsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(
    executor: Executor,
    report: { id: string; tenantId: string; env: string; stripeCustomerId: string; quantity: number },
  ): Promise<void> {
    await executor.query(
      'INSERT INTO overage_reports (id, tenant_id, env, stripe_customer_id, quantity) VALUES ($1, $2, $3, $4, $5)',
      [report.id, report.tenantId, report.env, report.stripeCustomerId, report.quantity],
    );
  }

  /** Claiming marks the attempt uncertain before it starts: a crash mid-call leaves it so. */
  async claimDue(leaseSeconds: number, only?: { tenantId: string; env: string }): Promise<DueReport[]> {
    return rowsOf<DueReport>(
      await this.dataSource.query(
        `UPDATE overage_reports r SET attempts = r.attempts + 1, next_attempt_at = now() + make_interval(secs => $1), uncertain_since = coalesce(r.uncertain_since, now())
         FROM (SELECT id, uncertain_since FROM overage_reports WHERE status <> 'reported' AND status <> 'held'
                 AND (next_attempt_at <= now() OR (tenant_id = $2 AND env = $3))
               ORDER BY created_at LIMIT 100 FOR UPDATE SKIP LOCKED) due
         WHERE r.id = due.id
         RETURNING r.id, r.env, r.stripe_customer_id, r.quantity, r.attempts, r.created_at, due.uncertain_since AS uncertain_before`,
        [leaseSeconds, only?.tenantId ?? null, only?.env ?? null],
      ),
    );
  }

  /** Reports Stripe would bill twice (uncertain for too long) or refuse (too old) wait for an operator. */
  async holdUnsendable(): Promise<HeldReport[]> {
    return rowsOf<HeldReport>(
      await this.dataSource.query(
        `UPDATE overage_reports SET status = 'held',
           last_error = CASE WHEN created_at < now() - make_interval(days => $2) THEN $4 ELSE $3 END
         WHERE status IN ('pending', 'failed')
           AND (uncertain_since < now() - make_interval(hours => $1) OR created_at < now() - make_interval(days => $2))
         RETURNING id, tenant_id, env, quantity, last_error`,
        [RESEND_WITHIN_HOURS, STRIPE_MAX_AGE_DAYS, HELD_UNCERTAIN, HELD_TOO_OLD],
      ),
    );
  }

  async markReported(id: string): Promise<void> {
    await this.dataSource.query(
      "UPDATE overage_reports SET status = 'reported', reported_at = now(), last_error = NULL WHERE id = $1",
      [id],
    );
  }

  /**
   * Written only while this claim is the latest: a slow call can outlive its lease, and another
   * instance's newer attempt (or an operator's release) must not be overwritten.
   */
  async markFailed(
    report: DueReport,
    failure: { message: string; retryInSeconds: number; refused: boolean },
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE overage_reports SET status = 'failed', last_error = $2, next_attempt_at = now() + make_interval(secs => $3),
         uncertain_since = CASE WHEN $4 THEN $5::timestamptz ELSE uncertain_since END
       WHERE id = $1 AND attempts = $6 AND status IN ('pending', 'failed')`,
      [
        report.id,
        failure.message.slice(0, 1000),
        failure.retryInSeconds,
        failure.refused,
        report.uncertain_before,
        report.attempts,
      ],
    );
  }

  /** Seconds since the oldest report Stripe has not yet accepted was made, by the database's clock; null when none. */
  async oldestUnreportedAge(): Promise<number | null> {
    const [row] = rowsOf<{ seconds: number | null }>(
      await this.dataSource.query(
        `SELECT EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS seconds FROM overage_reports WHERE status NOT IN ('reported', 'held')`,
      ),
    );
    return row?.seconds ?? null;
  }

  async heldCount(): Promise<number> {
    const [row] = rowsOf<{ held: number }>(
      await this.dataSource.query(`SELECT count(*)::int AS held FROM overage_reports WHERE status = 'held'`),
    );
    return row?.held ?? 0;
  }
}

/**
 * Settles one report the reporter held back. `resend` starts afresh: the next round sends it with
 * the same identifier, which Stripe has long forgotten; a report too old for Stripe cannot be
 * resent. Returns undefined when no such report is held. One conditional statement, so the check
 * and the write cannot come apart, inside a caller's transaction or not.
 */
export async function releaseHeldReport(
  db: Executor,
  id: string,
  outcome: HeldReportOutcome,
): Promise<ReleasedReport | undefined> {
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
  const [held] = rowsOf<unknown>(
    await db.query(`SELECT 1 FROM overage_reports WHERE id = $1 AND status = 'held'`, [id]),
  );
  if (held && outcome === 'resend')
    throw new Error(
      `report ${id} is older than ${STRIPE_MAX_AGE_DAYS} days, too old for Stripe: bill it another way, then release it --reported`,
    );
  return undefined;
}
