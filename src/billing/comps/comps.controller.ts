import { Body, Controller, Delete, HttpCode, Param, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../../identity/auth/auth-context.js';
import { CurrentActor, RequireOperator } from '../../identity/auth/decorators.js';
import { UuidParam } from '../../identity/dto/uuid-param.dto.js';
import { CompsService } from './comps.service.js';
import { CompDto, CompTargetDto } from '../dto/comp.dto.js';

@ApiTags('operators')
@Controller('admin/tenants/:id/comp')
@RequireOperator()
export class CompsController {
  constructor(private readonly comps: CompsService) {}

  @Put()
  @ApiOperation({ summary: 'Comp a tenant: a plan free, with a reason and an optional end.' })
  set(@Param() { id }: UuidParam, @CurrentActor() actor: Actor, @Body() dto: CompDto) {
    return this.comps.set(actor, id, dto);
  }

  @Delete()
  @ApiOperation({ summary: 'End a tenant’s comp: it returns to what Stripe says.' })
  @HttpCode(200)
  remove(@Param() { id }: UuidParam, @CurrentActor() actor: Actor, @Query() target: CompTargetDto) {
    return this.comps.remove(actor, id, target.env);
  }
}
