import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, IsUrl, MaxLength, Min } from 'class-validator';
import { PLAN_IDS } from '../../plans/plans.js';

const URL_OPTIONS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

export class CheckoutDto {
  @ApiProperty({ enum: PLAN_IDS.filter((id) => id !== 'free'), example: 'starter' })
  @IsString()
  @MaxLength(50)
  plan_id: string;

  @ApiPropertyOptional({ description: 'Where Stripe returns after payment; must be on APP_URL or CORS_ORIGINS.' })
  @IsOptional()
  @IsUrl(URL_OPTIONS)
  @MaxLength(2000)
  success_url?: string;

  @ApiPropertyOptional({ description: 'Where Stripe returns on cancel; must be on APP_URL or CORS_ORIGINS.' })
  @IsOptional()
  @IsUrl(URL_OPTIONS)
  @MaxLength(2000)
  cancel_url?: string;
}

export class PortalDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUrl(URL_OPTIONS)
  @MaxLength(2000)
  return_url?: string;
}

export class PlanChoiceDto {
  @ApiProperty({ enum: PLAN_IDS, example: 'pro' })
  @IsString()
  @MaxLength(50)
  plan_id: string;
}

export class PlanChangeDto extends PlanChoiceDto {
  @ApiPropertyOptional({ description: 'The proration_date a preview returned, so the charge equals the preview.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  proration_date?: number;

  @ApiPropertyOptional({ description: 'The preview_token the preview returned; required with proration_date.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  preview_token?: string;
}

export class CancelDto {
  @ApiPropertyOptional({ default: true, description: 'false cancels now; true (default) at the end of the period.' })
  @IsOptional()
  @IsBoolean()
  at_period_end?: boolean;
}

export class PaygDto {
  @ApiProperty()
  @IsBoolean()
  enable: boolean;
}
