import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { TenantScope } from './auth/auth-context.js';
import { CurrentTenant, Roles } from './auth/decorators.js';
import { AddMemberDto, ChangeMemberRoleDto } from './dto/member.dto.js';
import { UuidParam } from './dto/uuid-param.dto.js';
import { MembersService } from './members.service.js';

@ApiTags('identity')
@Controller('tenants/current/members')
@Roles('owner', 'admin')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @Get()
  @ApiOperation({ summary: 'The tenant’s members and their roles.' })
  list(@CurrentTenant() scope: TenantScope) {
    return this.members.list(scope);
  }

  @Post()
  @ApiOperation({ summary: 'Add a member by email with a role (only an owner may add an owner).' })
  add(@CurrentTenant() scope: TenantScope, @Body() dto: AddMemberDto) {
    return this.members.add(scope, dto);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a member’s role; the last owner cannot be demoted.' })
  changeRole(@CurrentTenant() scope: TenantScope, @Param() { id }: UuidParam, @Body() dto: ChangeMemberRoleDto) {
    return this.members.changeRole(scope, id, dto.role);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Remove a member; the last owner cannot be removed.' })
  @HttpCode(204)
  remove(@CurrentTenant() scope: TenantScope, @Param() { id }: UuidParam) {
    return this.members.remove(scope, id);
  }
}
