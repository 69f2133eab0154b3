import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TenantScope } from '../identity/auth/auth-context.js';
import { CurrentTenant, Roles } from '../identity/auth/decorators.js';
import { CheckDto, ConsumeDto } from './dto/metering.dto.js';
import { EntitlementsService } from './entitlements.service.js';
import { MeteringService } from './metering.service.js';

@ApiTags('entitlements')
@Controller()
@Roles('owner', 'admin', 'member')
export class MeteringController {
  constructor(
    private readonly metering: MeteringService,
    private readonly entitlements: EntitlementsService,
  ) {}

  @Get('billing/entitlements')
  @ApiOperation({ summary: 'Plan, status, features, limits and period, with where they come from (subscription, comp or the free default).' })
  entitlement(@CurrentTenant() scope: TenantScope) {
    return this.entitlements.view(scope.tenantId, scope.env);
  }

  @Post('entitlements/check')
  @HttpCode(200)
  @ApiOperation({ summary: 'Would a request be allowed? Consumes nothing.' })
  check(@CurrentTenant() scope: TenantScope, @Body() dto: CheckDto) {
    return this.metering.check(scope, dto);
  }

  @Post('usage/consume')
  @ApiOperation({ summary: 'Consume units: 200, 402 quota_exceeded or 429 rate_limited, idempotent by idempotency_key.' })
  @ApiResponse({ status: 402, description: 'Not consumed: `{allowed: false, code: quota_exceeded | subscription_inactive, used, limit, remaining, resets_at}`' })
  @ApiResponse({ status: 429, description: 'Not consumed: `{allowed: false, code: rate_limited, …}` with Retry-After' })
  async consume(@CurrentTenant() scope: TenantScope, @Body() dto: ConsumeDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const answer = await this.metering.consume(scope, dto, request.id);
    void reply.status(answer.status).headers(answer.headers);
    return answer.body;
  }

  @Get('usage')
  @ApiOperation({ summary: 'Usage in the current and past periods.' })
  usage(@CurrentTenant() scope: TenantScope) {
    return this.metering.usage(scope.tenantId, scope.env);
  }
}
