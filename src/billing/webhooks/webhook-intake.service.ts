import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type Stripe from 'stripe';
import { AuditTrail } from '../../common/events/audit-trail.js';
import { CommonError } from '../../common/errors/common.errors.js';
import { BillingError } from '../billing.errors.js';
import { StripeGateway } from '../stripe/stripe-gateway.js';
import { STRIPE_SETTINGS, type StripeSettings } from '../stripe/stripe-settings.js';
import { EventInsertBatcher } from './event-insert-batcher.js';
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
    private readonly audit: AuditTrail,
    @InjectMetric(SIGNATURE_FAILURES) private readonly signatureFailures: Counter<string>,
    @InjectMetric(EVENTS_RECEIVED) private readonly received: Counter<string>,
  ) {}

  async receive(
    rawBody: Buffer | undefined,
    signature: string | undefined,
  ): Promise<{ received: true; duplicate: boolean }> {
    const event = await this.verify(rawBody, signature);
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
  private async verify(rawBody: Buffer | undefined, signature: string | undefined): Promise<Stripe.Event> {
    if (rawBody && signature) {
      for (const secret of this.settings.webhookSecrets) {
        try {
          return this.gateway.verifyWebhook(rawBody, signature, secret);
        } catch {
          /* try the next secret */
        }
      }
    }
    this.signatureFailures.inc();
    this.logger.warn(
      { hasSignature: !!signature, bytes: rawBody?.length ?? 0 },
      'Stripe webhook refused: missing, invalid or stale signature',
    );
    await this.audit
      .record({
        action: 'webhook.signature_failed',
        actor: { type: 'system' },
        metadata: { has_signature: !!signature },
      })
      .catch(() => undefined);
    throw new BillingError('invalid_signature');
  }
}
