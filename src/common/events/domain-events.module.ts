import { Module } from '@nestjs/common';
import { AuditTrail } from './audit-trail.js';
import { BillingEventPublisher } from './billing-event.js';

/**
 * The ports through which lower modules tell higher ones what happened: the audit log and the
 * billing event stream live above identity, usage and billing, so those emit and never import them.
 */
@Module({
  providers: [AuditTrail, BillingEventPublisher],
  exports: [AuditTrail, BillingEventPublisher],
})
export class DomainEventsModule {}
