import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import { PLAN_IDS } from '../../plans/plans.js';

export class CompDto {
  @ApiProperty({ enum: ['test', 'live'] })
  @IsIn(['test', 'live'])
  env: 'test' | 'live';

  @ApiProperty({ enum: PLAN_IDS })
  @IsIn(PLAN_IDS)
  plan_id: (typeof PLAN_IDS)[number];

  @ApiProperty()
  @IsString()
  @Length(3, 500)
  reason: string;

  @ApiPropertyOptional({ description: 'When the comp ends; the tenant then returns to what Stripe says.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expires_at?: string;
}

export class CompTargetDto {
  @ApiProperty({ enum: ['test', 'live'] })
  @IsIn(['test', 'live'])
  env: 'test' | 'live';
}
