import { Body, Controller, Get, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/http/public.decorator.js';
import { EntitlementsService } from '../entitlements/entitlements.service.js';
import type { TenantScope } from '../identity/auth/auth-context.js';
import { CurrentTenant, Roles } from '../identity/auth/decorators.js';
import { PlanCatalog } from '../plans/plan-catalog.js';
import { BillingStatusService } from './billing-status.service.js';
import { planView } from './billing.views.js';
import { CheckoutService } from './checkout.service.js';
import { CancelDto, CheckoutDto, PaygDto, PlanChangeDto, PlanChoiceDto, PortalDto } from './dto/billing.dto.js';
import {
  CancelResponse,
  ChangeResponse,
  CheckoutResponse,
  PaygResponse,
  PlanView,
  PortalResponse,
  PreviewResponse,
  ReactivateResponse,
} from './dto/billing-responses.dto.js';
import { CallsStripe } from './stripe-route-limit.js';
import { SubscriptionManagementService } from './subscription-management.service.js';

const SAFE_KEY = /^[A-Za-z0-9._:-]{1,100}$/;
const idempotencyKeyOf = (key: string | undefined) => (key && SAFE_KEY.test(key) ? key : undefined);
/** On the routes that write to a subscription: a retry with the same key is the same Stripe write. */
const RETRY_KEY = {
  name: 'idempotency-key',
  required: false,
  description:
    'Send the same key when retrying (after a 202 stripe_outcome_unknown, say): Stripe then makes the change at most once.',
};

@ApiTags('billing')
@Controller('billing')
export class BillingController {
  constructor(
    private readonly catalog: PlanCatalog,
    private readonly checkout: CheckoutService,
    private readonly subscriptions: SubscriptionManagementService,
    private readonly statuses: BillingStatusService,
    private readonly entitlements: EntitlementsService,
  ) {}

  @Get('plans')
  @ApiOperation({ summary: 'The plans: price, monthly characters, hourly requests, features.' })
  @Public()
  @ApiOkResponse({ type: [PlanView] })
  plans() {
    return this.catalog.all().map(planView);
  }

  /** Where Checkout returns by default when APP_URL is this service (no front end in front of it). */
  @Get('success')
  @ApiOperation({ summary: 'Where Checkout returns after payment when APP_URL is this service.' })
  @Public()
  checkoutSucceeded() {
    return {
      message:
        'Payment received. Your plan changes as soon as Stripe confirms it (usually seconds): see GET /billing/status.',
    };
  }

  @Get('cancel')
  @ApiOperation({ summary: 'Where Checkout returns when the buyer gives up.' })
  @Public()
  checkoutCanceled() {
    return { message: 'Checkout was canceled; nothing was charged.' };
  }

  @Post('checkout')
  @CallsStripe()
  @Roles('owner', 'admin')
  @ApiOperation({
    summary:
      'Start Stripe Checkout for a paid plan. The same request within 10 minutes (or with the same Idempotency-Key) returns the same session.',
  })
  @ApiHeader({
    name: 'idempotency-key',
    required: false,
    description: 'Repeats within 10 minutes with the same key return the same session.',
  })
  @ApiCreatedResponse({ type: CheckoutResponse })
  startCheckout(
    @CurrentTenant() scope: TenantScope,
    @Body() dto: CheckoutDto,
    @Headers('idempotency-key') key?: string,
  ) {
    return this.checkout.checkout(scope, {
      planId: dto.plan_id,
      successUrl: dto.success_url,
      cancelUrl: dto.cancel_url,
      clientKey: idempotencyKeyOf(key),
    });
  }

  @Post('portal')
  @CallsStripe()
  @ApiOperation({ summary: 'A Stripe customer portal session for cards, invoices and cancelling.' })
  @HttpCode(200)
  @Roles('owner', 'admin')
  @ApiOkResponse({ type: PortalResponse })
  portal(@CurrentTenant() scope: TenantScope, @Body() dto: PortalDto) {
    return this.checkout.portal(scope, dto.return_url);
  }

  @Get('status')
  @Roles('owner', 'admin', 'member')
  @ApiOperation({ summary: 'Plan, subscription, quota and rate limit, PAYG, last payment failure.' })
  status(@CurrentTenant() scope: TenantScope) {
    return this.statuses.status(scope);
  }

  @Get('entitlements')
  @Roles('owner', 'admin', 'member')
  @ApiOperation({
    summary:
      'Plan, status, features, limits and period, with where they come from (subscription, comp or the free default).',
  })
  entitlement(@CurrentTenant() scope: TenantScope) {
    return this.entitlements.view(scope.tenantId, scope.env);
  }

  @Post('subscription/preview')
  @CallsStripe()
  @HttpCode(200)
  @Roles('owner', 'admin')
  @ApiOperation({ summary: 'What a plan change costs now and at the next renewal, from Stripe’s invoice preview.' })
  @ApiOkResponse({ type: PreviewResponse })
  preview(@CurrentTenant() scope: TenantScope, @Body() dto: PlanChoiceDto) {
    return this.subscriptions.preview(scope, dto.plan_id);
  }

  @Post('subscription/change')
  @CallsStripe()
  @HttpCode(200)
  @Roles('owner', 'admin')
  @ApiOperation({
    summary:
      'Change plan. Upgrades take effect now and the proration is charged now (402 card_declined changes nothing). Downgrades take effect at the end of the period; the higher plan stays until then. Changing to free cancels at period end.',
  })
  @ApiOkResponse({ type: ChangeResponse })
  @ApiHeader(RETRY_KEY)
  change(@CurrentTenant() scope: TenantScope, @Body() dto: PlanChangeDto, @Headers('idempotency-key') key?: string) {
    return this.subscriptions.change(scope, dto.plan_id, dto.proration_date, dto.preview_token, idempotencyKeyOf(key));
  }

  @Post('subscription/cancel')
  @CallsStripe()
  @ApiOperation({ summary: 'Cancel: at the end of the period by default, or now with `at_period_end: false`.' })
  @HttpCode(200)
  @Roles('owner', 'admin')
  @ApiOkResponse({ type: CancelResponse })
  @ApiHeader(RETRY_KEY)
  cancel(@CurrentTenant() scope: TenantScope, @Body() dto: CancelDto, @Headers('idempotency-key') key?: string) {
    return this.subscriptions.cancel(scope, dto.at_period_end ?? true, idempotencyKeyOf(key));
  }

  @Post('subscription/reactivate')
  @CallsStripe()
  @ApiOperation({ summary: 'Undo a pending cancel; after the subscription ended, a new checkout URL.' })
  @HttpCode(200)
  @Roles('owner', 'admin')
  @ApiOkResponse({ type: ReactivateResponse })
  @ApiHeader(RETRY_KEY)
  reactivate(@CurrentTenant() scope: TenantScope, @Headers('idempotency-key') key?: string) {
    return this.subscriptions.reactivate(scope, idempotencyKeyOf(key));
  }

  @Post('payg')
  @CallsStripe()
  @ApiOperation({ summary: 'Pay-as-you-go overage on or off: past the quota, requests pass and are billed by usage.' })
  @HttpCode(200)
  @Roles('owner', 'admin')
  @ApiOkResponse({ type: PaygResponse })
  @ApiHeader(RETRY_KEY)
  payg(@CurrentTenant() scope: TenantScope, @Body() dto: PaygDto, @Headers('idempotency-key') key?: string) {
    return this.subscriptions.payg(scope, dto.enable, idempotencyKeyOf(key));
  }
}
