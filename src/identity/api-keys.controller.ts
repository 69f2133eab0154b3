import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiKeysService } from './api-keys.service.js';
import type { Actor, TenantScope } from './auth/auth-context.js';
import { CurrentActor, CurrentTenant, Roles } from './auth/decorators.js';
import { CreateApiKeyDto } from './dto/create-api-key.dto.js';
import { UuidParam } from './dto/uuid-param.dto.js';

@ApiTags('identity')
@ApiBearerAuth()
@Controller('tenants/current/api-keys')
@Roles('owner', 'admin')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  list(@CurrentTenant() scope: TenantScope) {
    return this.apiKeys.list(scope);
  }

  @Post()
  issue(@CurrentTenant() scope: TenantScope, @CurrentActor() actor: Actor, @Body() dto: CreateApiKeyDto) {
    return this.apiKeys.issue(scope, actor, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  revoke(@CurrentTenant() scope: TenantScope, @Param() { id }: UuidParam) {
    return this.apiKeys.revoke(scope, id);
  }
}
