import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { RequireOperator } from '../../identity/auth/decorators.js';
import type { StripeEventStatus } from './stripe-event.entity.js';
import { WebhookAdminService } from './webhook-admin.service.js';

export class EventListQuery {
  @IsOptional()
  @IsIn(['pending', 'processed', 'ignored', 'failed', 'dead'])
  status?: StripeEventStatus;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  type?: string;
}

export class EventIdParam {
  @Matches(/^evt_[A-Za-z0-9_]{1,100}$/, { message: 'id must be a Stripe event id (evt_…)' })
  id: string;
}

@ApiTags('operators')
@Controller('admin/webhook-events')
@RequireOperator()
export class WebhookAdminController {
  constructor(private readonly admin: WebhookAdminService) {}

  @Get()
  @ApiOperation({ summary: 'Stored Stripe events, filtered by status and type, newest first.' })
  list(@Query() query: EventListQuery) {
    return this.admin.list(query);
  }

  @Post(':id/replay')
  @ApiOperation({ summary: 'Process a stored Stripe event again; harmless for one already applied.' })
  @HttpCode(202)
  replay(@Param() { id }: EventIdParam) {
    return this.admin.replay({ id });
  }
}
