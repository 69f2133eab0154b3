import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeysService } from './api-keys.service.js';
import type { Actor, TenantScope } from './auth/auth-context.js';
import { CurrentActor, CurrentTenant, Roles } from './auth/decorators.js';
import { CreateApiKeyDto } from './dto/create-api-key.dto.js';
import { UuidParam } from './dto/uuid-param.dto.js';

@ApiTags('identity')
@Controller('tenants/current/api-keys')
@Roles('owner', 'admin')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  @ApiOperation({ summary: 'The tenant’s API keys in this environment (prefixes, names, roles; never the secret).' })
  list(@CurrentTenant() scope: TenantScope) {
    return this.apiKeys.list(scope);
  }

  @Post()
  @ApiOperation({ summary: 'Issue an API key for this tenant and environment; the secret is shown once in `key`.' })
  issue(@CurrentTenant() scope: TenantScope, @CurrentActor() actor: Actor, @Body() dto: CreateApiKeyDto) {
    return this.apiKeys.issue(scope, actor, dto);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke an API key: refused everywhere within a second.' })
  @HttpCode(204)
  revoke(@CurrentTenant() scope: TenantScope, @Param() { id }: UuidParam) {
    return this.apiKeys.revoke(scope, id);
  }
}
