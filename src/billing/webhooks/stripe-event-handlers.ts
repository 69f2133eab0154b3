import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { BillingError } from '../billing.errors.js';
import { BillingService } from '../billing.service.js';
import { META } from '../stripe-facts.js';

export type HandlerOutcome = 'processed' | 'ignored';
type Handler = (event: Stripe.Event, env: string) => Promise<HandlerOutcome>;

const idOf = (value: string | { id: string } | null | undefined) =>
  typeof value === 'string' ? value : (value?.id ?? null);

/**
 * One handler per event type. None trusts the event's copy of the object: each re-reads Stripe's
 * current state through BillingService, so duplicates and out-of-order deliveries cannot roll back.
 */
@Injectable()
export class StripeEventHandlers {
  private readonly handlers: Record<string, Handler> = {
    'checkout.session.completed': (event, env) =>
      this.checkoutCompleted(event.data.object as Stripe.Checkout.Session, env),
    'customer.subscription.created': (event, env) =>
      this.subscriptionChanged(event.data.object as Stripe.Subscription, env),
    'customer.subscription.updated': (event, env) =>
      this.subscriptionChanged(event.data.object as Stripe.Subscription, env),
    'customer.subscription.deleted': (event, env) =>
      this.subscriptionChanged(event.data.object as Stripe.Subscription, env),
    'customer.subscription.paused': (event, env) =>
      this.subscriptionChanged(event.data.object as Stripe.Subscription, env),
    'customer.subscription.resumed': (event, env) =>
      this.subscriptionChanged(event.data.object as Stripe.Subscription, env),
    'invoice.paid': (event, env) => this.invoiceChanged(event.data.object as Stripe.Invoice, env, false),
    'invoice.payment_failed': (event, env) => this.invoiceChanged(event.data.object as Stripe.Invoice, env, true),
    'invoice.payment_action_required': (event, env) =>
      this.invoiceChanged(event.data.object as Stripe.Invoice, env, true),
  };

  constructor(private readonly billing: BillingService) {}

  handles(type: string): boolean {
    return type in this.handlers;
  }

  handle(event: Stripe.Event, env: string): Promise<HandlerOutcome> {
    return this.handlers[event.type](event, env);
  }

  private async checkoutCompleted(session: Stripe.Checkout.Session, env: string): Promise<HandlerOutcome> {
    const subscription = idOf(session.subscription);
    if (session.mode !== 'subscription' || !subscription) return 'ignored';
    const tenantId = this.tenantFrom(session.metadata, env);
    await this.billing.syncSubscription(tenantId, env, subscription);
    return 'processed';
  }

  private async subscriptionChanged(subscription: Stripe.Subscription, env: string): Promise<HandlerOutcome> {
    await this.billing.syncSubscription(this.tenantFrom(subscription.metadata, env), env, subscription.id);
    return 'processed';
  }

  private async invoiceChanged(invoice: Stripe.Invoice, env: string, paymentFailed: boolean): Promise<HandlerOutcome> {
    const owner = await this.billing.tenantOfCustomer(String(idOf(invoice.customer)));
    if (!owner || owner.env !== env)
      throw new BillingError('tenant_mismatch', `No tenant has Stripe customer ${idOf(invoice.customer)} in ${env}.`);
    await this.billing.syncInvoice(owner.tenantId, env, invoice.id, paymentFailed);
    const subscription = idOf(invoice.parent?.subscription_details?.subscription);
    if (subscription) await this.billing.syncSubscription(owner.tenantId, env, subscription);
    return 'processed';
  }

  /** The tenant our metadata names; BillingService then checks it against the customer mapping. */
  private tenantFrom(metadata: Stripe.Metadata | null | undefined, env: string): string {
    const tenantId = metadata?.[META.tenant];
    if (!tenantId || metadata?.[META.env] !== env)
      throw new BillingError('tenant_mismatch', 'The object carries no tenant of ours for this environment.');
    return tenantId;
  }
}
