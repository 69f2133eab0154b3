import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { TenantScope } from '../identity/auth/auth-context.js';
import { CurrentTenant, Roles } from '../identity/auth/decorators.js';
import { AuditQueryDto } from './audit-query.dto.js';
import { AuditService } from './audit.service.js';

/** Read-only: no route updates or deletes an entry (the table's trigger refuses both anyway). */
@ApiTags('audit')
@Controller('audit')
@Roles('owner', 'admin')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'The tenant’s audit log for this environment, newest first, with cursor pagination.' })
  list(@CurrentTenant() scope: TenantScope, @Query() query: AuditQueryDto) {
    return this.audit.page(scope.tenantId, scope.env, query);
  }
}
