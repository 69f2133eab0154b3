import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TenantScope } from '../identity/auth/auth-context.js';
import { CurrentTenant, Roles } from '../identity/auth/decorators.js';
import { ConsumeDto } from './dto/metering.dto.js';
import { MeteringService } from './metering.service.js';

/** Metering for services outside this process: the guard's decisions over HTTP, and usage by period. */
@ApiTags('entitlements')
@Controller('usage')
@Roles('owner', 'admin', 'member')
export class UsageController {
  constructor(private readonly metering: MeteringService) {}

  @Post('consume')
  @ApiOperation({
    summary: 'Consume units: 200, 402 quota_exceeded or 429 rate_limited, idempotent by idempotency_key.',
  })
  @ApiResponse({
    status: 402,
    description:
      'Not consumed: `{allowed: false, code: quota_exceeded | subscription_inactive, used, limit, remaining, resets_at}`',
  })
  @ApiResponse({ status: 429, description: 'Not consumed: `{allowed: false, code: rate_limited, …}` with Retry-After' })
  async consume(
    @CurrentTenant() scope: TenantScope,
    @Body() dto: ConsumeDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const answer = await this.metering.consume(scope, dto, request.id);
    void reply.status(answer.status).headers(answer.headers);
    return answer.body;
  }

  @Get()
  @ApiOperation({ summary: 'Usage in the current and past periods.' })
  usage(@CurrentTenant() scope: TenantScope) {
    return this.metering.usage(scope.tenantId, scope.env);
  }
}
