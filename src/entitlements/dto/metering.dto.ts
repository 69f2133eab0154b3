import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { PLAN_IDS } from '../../billing/plans.js';

export const METERS = ['characters'] as const;

export class CheckDto {
  @ApiPropertyOptional({ example: 'custom_models' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  feature?: string;

  @ApiPropertyOptional({ enum: METERS })
  @IsOptional()
  @IsIn(METERS)
  meter?: string;

  @ApiPropertyOptional({ description: 'Units the caller is about to use.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  amount?: number;
}

export class ConsumeDto {
  @ApiProperty({ enum: METERS })
  @IsIn(METERS)
  meter: string;

  @ApiProperty()
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  amount: number;

  @ApiPropertyOptional({ description: 'The same key within a tenant and env consumes once and replays the first answer.' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._:-]{1,100}$/)
  idempotency_key?: string;
}

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
