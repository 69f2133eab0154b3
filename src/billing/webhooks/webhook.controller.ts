import { Controller, Headers, HttpCode, Post, type RawBodyRequest, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../../common/http/public.decorator.js';
import { WebhookIntakeService } from './webhook-intake.service.js';

/** Stripe's deliveries: authenticated by their signature, not by our credentials. */
@ApiTags('billing')
@ApiSecurity('stripe_signature')
@Controller('billing/webhook')
@Public()
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
