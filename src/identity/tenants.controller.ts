import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor, TenantScope } from './auth/auth-context.js';
import { CurrentActor, CurrentTenant, RequireUser, Roles } from './auth/decorators.js';
import { CreateTenantDto } from './dto/create-tenant.dto.js';
import { TenantsService } from './tenants.service.js';

@ApiTags('identity')
@Controller('tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a tenant; the signed-in user becomes its owner.' })
  @RequireUser()
  create(@CurrentActor() actor: Actor, @Body() dto: CreateTenantDto) {
    return this.tenants.create(actor.id, dto.name);
  }

  @Get('current')
  @ApiOperation({ summary: 'The tenant and environment of these credentials, and the caller’s role.' })
  @Roles('owner', 'admin', 'member')
  current(@CurrentTenant() scope: TenantScope) {
    return this.tenants.current(scope);
  }
}
