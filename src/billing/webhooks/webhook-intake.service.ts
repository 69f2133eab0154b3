import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type Stripe from 'stripe';
import { CommonError } from '../../common/errors/common.errors.js';
import { BillingError } from '../billing.errors.js';
import { StripeGateway } from '../stripe/stripe-gateway.js';
import { STRIPE_SETTINGS, type StripeSettings } from '../stripe/stripe-settings.js';
import { EventInsertBatcher } from './event-insert-batcher.js';
import { RejectedWebhookAudit, type RejectionReason } from './rejected-webhook-audit.js';
import { EVENTS_RECEIVED, SIGNATURE_FAILURES, typeLabel } from './webhook-metrics.js';
import { WebhookProcessor } from './webhook-processor.js';

/** Verify, persist, acknowledge: an event is stored before Stripe hears 200, and never twice. */
@Injectable()
export class WebhookIntakeService {
  private readonly logger = new Logger('StripeWebhook');

  constructor(
    @Inject(STRIPE_SETTINGS) private readonly settings: StripeSettings,
    private readonly gateway: StripeGateway,
    private readonly events: EventInsertBatcher,
    private readonly processor: WebhookProcessor,
    private readonly rejections: RejectedWebhookAudit,
    @InjectMetric(SIGNATURE_FAILURES) private readonly signatureFailures: Counter<string>,
    @InjectMetric(EVENTS_RECEIVED) private readonly received: Counter<string>,
  ) {}

  /** `source` is the sender's address (behind TRUST_PROXY, the client's), for auditing refusals. */
  async receive(
    rawBody: Buffer | undefined,
    signature: string | undefined,
    source: string,
  ): Promise<{ received: true; duplicate: boolean }> {
    const event = this.verify(rawBody, signature, source);
    const env = event.livemode ? 'live' : 'test';
    const ours = env === this.settings.mode;
    let stored: boolean;
    try {
      stored = await this.events.insert({
        id: event.id,
        type: event.type,
        livemode: event.livemode,
        payload: rawBody!.toString('utf8'),
        stripeCreated: event.created,
        status: ours ? 'pending' : 'ignored',
        lastError: ours ? null : `no Stripe key for the ${env} environment on this deployment`,
      });
    } catch (error) {
      // Not the error object: a failed batch insert carries every payload in it as parameters.
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.error(
        { eventId: event.id, type: event.type, reason },
        'could not store a Stripe event; Stripe will retry',
      );
      throw new CommonError('service_unavailable', 'The event could not be stored; Stripe will retry.');
    }
    this.received.inc({ type: typeLabel(event.type), duplicate: String(!stored) });
    this.logger.log({ eventId: event.id, type: event.type, duplicate: !stored }, 'Stripe event received');
    if (stored && ours) this.processor.wake();
    return { received: true, duplicate: !stored };
  }

  /** Any configured secret may match (two while rotating); Stripe's 300 s tolerance applies. */
  private verify(rawBody: Buffer | undefined, signature: string | undefined, source: string): Stripe.Event {
    let reason: RejectionReason = 'missing';
    if (rawBody && signature) {
      reason = 'invalid';
      for (const secret of this.settings.webhookSecrets) {
        try {
          return this.gateway.verifyWebhook(rawBody, signature, secret);
        } catch (error) {
          // Stripe checks the timestamp only once a signature matched: a replayed delivery, or a skewed clock.
          if (error instanceof Error && error.message.startsWith('Timestamp outside')) reason = 'expired';
        }
      }
    }
    this.signatureFailures.inc({ reason });
    this.logger.warn(
      { reason, hasSignature: !!signature, bytes: rawBody?.length ?? 0 },
      'Stripe webhook refused: missing, invalid or stale signature',
    );
    this.rejections.record(source, reason);
    throw new BillingError('invalid_signature');
  }
}
