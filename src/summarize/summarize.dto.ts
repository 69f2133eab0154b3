import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import type { SummaryMode } from './summarizer.js';

export class SummarizeDto {
  @ApiProperty({ description: 'The text; its length in characters is the request’s cost.' })
  @IsString()
  @Length(1, 200_000)
  text: string;

  @ApiPropertyOptional({ enum: ['brief', 'bullets', 'detailed'], default: 'brief', description: 'bullets and detailed need all_modes (starter and up).' })
  @IsOptional()
  @IsIn(['brief', 'bullets', 'detailed'])
  mode?: SummaryMode;

  @ApiPropertyOptional({ description: 'A custom model; needs custom_models (pro and up).' })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9._-]{0,63}$/)
  model?: string;
}
