import { Identity1763700000000 } from './1763700000000-identity.js';
import { AuditEvents1763700000100 } from './1763700000100-audit-events.js';
import { ApiKeyLineage1763700000200 } from './1763700000200-api-key-lineage.js';
import { Billing1763700000300 } from './1763700000300-billing.js';
import { Metering1763700000400 } from './1763700000400-metering.js';
import { BillingEvents1763700000500 } from './1763700000500-billing-events.js';
import { ConsumeUsageFunction1763700000600 } from './1763700000600-consume-usage-function.js';
import { ConsumeUsageGenericPlans1763700000700 } from './1763700000700-consume-usage-generic-plans.js';
import { ConsumeUsageInsertMissingOnly1763700000800 } from './1763700000800-consume-usage-insert-missing-only.js';
import { OverageReportHolds1763700000900 } from './1763700000900-overage-report-holds.js';
import { FormerMemberships1763700001000 } from './1763700001000-former-memberships.js';
import { NormalizedEmails1763700001300 } from './1763700001300-normalized-emails.js';
import { StripeReadTickets1763700001500 } from './1763700001500-stripe-read-tickets.js';
import { WebhookLeases1763700001600 } from './1763700001600-webhook-leases.js';
import { StripeRouteCounters1763700001700 } from './1763700001700-stripe-route-counters.js';

/** Listed explicitly (not globbed) so the same list works from TypeScript sources and from dist/. */
export const migrations = [
  Identity1763700000000,
  AuditEvents1763700000100,
  ApiKeyLineage1763700000200,
  Billing1763700000300,
  Metering1763700000400,
  BillingEvents1763700000500,
  ConsumeUsageFunction1763700000600,
  ConsumeUsageGenericPlans1763700000700,
  ConsumeUsageInsertMissingOnly1763700000800,
  OverageReportHolds1763700000900,
  FormerMemberships1763700001000,
  NormalizedEmails1763700001300,
  StripeReadTickets1763700001500,
  WebhookLeases1763700001600,
  StripeRouteCounters1763700001700,
];
