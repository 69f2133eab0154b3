import { Controller, Headers, HttpCode, Post, type RawBodyRequest, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { PublicUnlimited } from '../../common/http/public.decorator.js';
import { WebhookIntakeService } from './webhook-intake.service.js';

/**
 * Stripe's deliveries: authenticated by their signature, not by our credentials. Never limited per
 * address: Stripe sends bursts from a few addresses, and an event it was refused waits out its backoff.
 */
@ApiTags('billing')
@ApiSecurity('stripe_signature')
@Controller('billing/webhook')
@PublicUnlimited()
export class WebhookController {
  constructor(private readonly intake: WebhookIntakeService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Stripe’s webhook deliveries, verified by Stripe-Signature and stored before the 200; processed in the background. Not for clients.',
  })
  @ApiOkResponse({ description: 'Stored (or already stored): `{received: true}`' })
  receive(@Req() request: RawBodyRequest<FastifyRequest>, @Headers('stripe-signature') signature?: string) {
    return this.intake.receive(request.rawBody, signature, request.ip);
  }
}
