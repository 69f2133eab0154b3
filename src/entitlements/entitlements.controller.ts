import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { TenantScope } from '../identity/auth/auth-context.js';
import { CurrentTenant, Roles } from '../identity/auth/decorators.js';
import { CheckDto } from './dto/metering.dto.js';
import { MeteringService } from './metering.service.js';

@ApiTags('entitlements')
@Controller('entitlements')
@Roles('owner', 'admin', 'member')
export class EntitlementsController {
  constructor(private readonly metering: MeteringService) {}

  @Post('check')
  @HttpCode(200)
  @ApiOperation({ summary: 'Would a request be allowed? Consumes nothing.' })
  check(@CurrentTenant() scope: TenantScope, @Body() dto: CheckDto) {
    return this.metering.check(scope, dto);
  }
}
