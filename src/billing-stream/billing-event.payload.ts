import { ApiProperty } from '@nestjs/swagger';
import { BILLING_EVENT_TYPES, type BillingEventType } from '../common/events/billing-event.js';

/**
 * What `GET /billing/stream` sends, one per SSE `data:` line: our own vocabulary, never Stripe's raw
 * objects, so a front end does not change when Stripe does. The SSE `id:` equals `id`.
 * docs/billing/stream.md lists the `data` of each type.
 */
export class BillingEventPayload {
  @ApiProperty({
    description: 'Increasing within a tenant and env; send it back as Last-Event-ID to resume.',
    example: '1042',
  })
  id: string;

  @ApiProperty({ enum: BILLING_EVENT_TYPES })
  type: BillingEventType;

  @ApiProperty({ format: 'uuid' })
  tenant_id: string;

  @ApiProperty({ enum: ['test', 'live'] })
  env: string;

  @ApiProperty({ format: 'date-time' })
  occurred_at: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Depends on `type`; see docs/billing/stream.md.',
  })
  data: Record<string, unknown>;
}
