import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor, TenantScope } from './auth/auth-context.js';
import { CurrentActor, CurrentTenant, RequireUser, Roles } from './auth/decorators.js';
import { CreateTenantDto } from './dto/create-tenant.dto.js';
import { TenantsService } from './tenants.service.js';

@ApiTags('identity')
@ApiBearerAuth()
@Controller('tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  @RequireUser()
  create(@CurrentActor() actor: Actor, @Body() dto: CreateTenantDto) {
    return this.tenants.create(actor.id, dto.name);
  }

  @Get('current')
  @Roles('owner', 'admin', 'member')
  current(@CurrentTenant() scope: TenantScope) {
    return this.tenants.current(scope);
  }
}
