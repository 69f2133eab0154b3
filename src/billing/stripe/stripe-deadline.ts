import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
  Optional,
} from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import type { Observable } from 'rxjs';
import { STRIPE_SETTINGS, type StripeSettings } from './stripe-settings.js';

const DEADLINE = 'stripe.deadline';
/** Proxies commonly give up after 15 s or more; a request answers before then, whatever Stripe does. */
export const REQUEST_BUDGET_MS = 13_000;

/**
 * The instant by which this request's Stripe calls must be done, kept in the request's context.
 * Background work (webhooks, overage) has none and uses the client's own timeout and retries.
 */
@Injectable()
export class StripeDeadline {
  /** No ClsService where no request is served (the stripe:setup command): no deadline either. */
  constructor(@Optional() private readonly cls?: ClsService) {}

  /** Milliseconds left for this request's Stripe calls; undefined outside a request with a budget. */
  remainingMs(): number | undefined {
    const deadline = this.cls?.isActive() ? this.cls.get<number | undefined>(DEADLINE) : undefined;
    return deadline === undefined ? undefined : deadline - Date.now();
  }

  start(budgetMs: number): void {
    this.cls?.set(DEADLINE, Date.now() + budgetMs);
  }
}

/** Gives each request of a route that calls Stripe (`@CallsStripe()`) one budget for all its Stripe calls. */
@Injectable()
export class StripeDeadlineInterceptor implements NestInterceptor {
  private readonly budgetMs: number;

  constructor(
    private readonly deadline: StripeDeadline,
    @Optional() @Inject(STRIPE_SETTINGS) settings?: StripeSettings,
  ) {
    this.budgetMs = settings?.requestBudgetMs ?? REQUEST_BUDGET_MS;
  }

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    this.deadline.start(this.budgetMs);
    return next.handle();
  }
}
