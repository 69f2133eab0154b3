import { Controller, Headers, type MessageEvent, Query, Sse, SseSignal } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Observable } from 'rxjs';
import { validationFailed } from '../common/errors/common.errors.js';
import type { Actor, TenantScope } from '../identity/auth/auth-context.js';
import { CurrentActor, CurrentTenant, Roles } from '../identity/auth/decorators.js';
import { BillingEventPayload } from './billing-event.payload.js';
import { BillingStreamHub } from './billing-stream.hub.js';
import { StreamSlots } from './stream-slots.js';

const EVENT_ID = /^\d{1,18}$/;

@ApiTags('billing')
@ApiExtraModels(BillingEventPayload)
@Controller('billing/stream')
export class BillingStreamController {
  constructor(
    private readonly hub: BillingStreamHub,
    private readonly slots: StreamSlots,
  ) {}

  @Sse()
  @Roles('owner', 'admin', 'member')
  @ApiOperation({
    summary:
      'Server-sent events: the tenant’s subscription, invoice, entitlement and usage-threshold changes, as BillingEventPayload.',
    description:
      'Each event’s `data:` is one BillingEventPayload and its `id:` the payload id. A comment is written every BILLING_STREAM_KEEPALIVE_SECONDS (15 s unless set). Reconnect with Last-Event-ID to get exactly what was missed. One API key or user may hold BILLING_STREAM_MAX_PER_CREDENTIAL streams (20 unless set) on an instance at once; the next is answered 429 rate_limited with Retry-After.',
  })
  @ApiHeader({
    name: 'last-event-id',
    required: false,
    description: 'Replay every event after this id, then continue live.',
  })
  @ApiQuery({ name: 'last_event_id', required: false, description: 'The same, for clients that cannot set headers.' })
  @ApiOkResponse({
    description: 'text/event-stream',
    content: { 'text/event-stream': { schema: { $ref: getSchemaPath(BillingEventPayload) } } },
  })
  // Async, so that whatever it throws reaches Nest's SSE lifecycle, which then aborts `ended`.
  async stream(
    @CurrentTenant() scope: TenantScope,
    @CurrentActor() actor: Actor,
    @SseSignal() ended: AbortSignal,
    @Headers('last-event-id') header?: string,
    @Query('last_event_id') query?: string,
  ): Promise<Observable<MessageEvent>> {
    const lastEventId = (header ?? query)?.trim() || null;
    if (lastEventId !== null && !EVENT_ID.test(lastEventId)) {
      throw validationFailed([
        { field: 'Last-Event-ID', problems: ['must be the id of an event this stream sent (digits)'] },
      ]);
    }
    this.slots.take(actor, ended);
    return this.hub.stream(scope.tenantId, scope.env, lastEventId);
  }
}
