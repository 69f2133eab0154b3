import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

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

  @ApiPropertyOptional({
    description: 'The same key within a tenant and env consumes once and replays the first answer.',
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._:-]{1,100}$/)
  idempotency_key?: string;
}
