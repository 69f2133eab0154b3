import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Metered } from '../entitlements/metering.decorators.js';
import { Roles } from '../identity/auth/decorators.js';
import { summarize } from './summarizer.js';
import { SummarizeDto } from './summarize.dto.js';

const bodyOf = (request: FastifyRequest) => (request.body ?? {}) as Partial<SummarizeDto>;

/** The example metered API, the thing the plans sell: shows how any module meters a route. */
@ApiTags('summarize')
@Controller('v1/summarize')
@Roles('owner', 'admin', 'member')
export class SummarizeController {
  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'An extractive summary. Costs the characters of `text`; carries X-Credits-* and RateLimit-* headers.' })
  @Metered({
    meter: 'characters',
    cost: (request) => (typeof bodyOf(request).text === 'string' ? bodyOf(request).text!.length : 0),
    features: (request) => [
      'basic_summarization',
      ...(bodyOf(request).mode && bodyOf(request).mode !== 'brief' ? ['all_modes'] : []),
      ...(bodyOf(request).model ? ['custom_models'] : []),
    ],
  })
  summarize(@Body() dto: SummarizeDto) {
    const mode = dto.mode ?? 'brief';
    return { summary: summarize(dto.text, mode), mode, model: dto.model ?? 'default', characters: dto.text.length };
  }
}
