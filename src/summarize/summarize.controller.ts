import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags, type SchemaObject } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { JsonBodyPipe } from '../common/http/json-body.pipe.js';
import { Metered } from '../entitlements/metering.decorators.js';
import { Roles } from '../identity/auth/decorators.js';
import { summarize } from './summarizer.js';
import { SUMMARIZE_BODY, type SummarizeBody } from './summarize.body.js';

const bodyOf = (request: FastifyRequest) => (request.body ?? {}) as Partial<SummarizeBody>;

/** The example metered API, the thing the plans sell: shows how any module meters a route. */
@ApiTags('summarize')
@Controller('v1/summarize')
@Roles('owner', 'admin', 'member')
export class SummarizeController {
  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'An extractive summary. Costs the characters of `text`; carries X-Credits-* and RateLimit-* headers.',
  })
  @Metered({
    meter: 'characters',
    cost: (request) => (typeof bodyOf(request).text === 'string' ? bodyOf(request).text!.length : 0),
    features: (request) => [
      'basic_summarization',
      ...(bodyOf(request).mode && bodyOf(request).mode !== 'brief' ? ['all_modes'] : []),
      ...(bodyOf(request).model ? ['custom_models'] : []),
    ],
  })
  @ApiBody({ schema: SUMMARIZE_BODY as SchemaObject })
  summarize(@Body(new JsonBodyPipe(SUMMARIZE_BODY)) body: SummarizeBody) {
    const mode = body.mode ?? 'brief';
    return { summary: summarize(body.text, mode), mode, model: body.model ?? 'default', characters: body.text.length };
  }
}
