import { Controller, Headers, HttpCode, Post, type RawBodyRequest, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../../identity/auth/decorators.js';
import { WebhookIntakeService } from './webhook-intake.service.js';

/** Stripe's deliveries: authenticated by their signature, not by our credentials. */
@ApiExcludeController()
@Controller('billing/webhook')
@Public()
export class WebhookController {
  constructor(private readonly intake: WebhookIntakeService) {}

  @Post()
  @HttpCode(200)
  receive(@Req() request: RawBodyRequest<FastifyRequest>, @Headers('stripe-signature') signature?: string) {
    return this.intake.receive(request.rawBody, signature);
  }
}
