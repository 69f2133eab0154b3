import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ERROR_CODES } from '../common/errors/app-error.js';
import { AppConfig } from '../config/app-config.js';
import { Public } from '../common/http/public.decorator.js';
import { ApiDocument } from './api-document.js';
import { llmsFullText, llmsText, type LlmsSources } from './llms-text.js';
import { RouteCatalog } from './route-catalog.js';

@ApiTags('docs')
@Controller()
@Public()
export class LlmsController {
  private texts?: { brief: string; full: string };

  constructor(
    private readonly config: AppConfig,
    private readonly catalog: RouteCatalog,
    private readonly document: ApiDocument,
  ) {}

  @Get('llms.txt')
  @Header('content-type', 'text/plain; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOperation({ summary: 'The API in brief for AI agents (llmstxt.org format), with links to the rest.' })
  brief(): string {
    return this.build().brief;
  }

  @Get('llms-full.txt')
  @Header('content-type', 'text/plain; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOperation({
    summary: 'The whole API for AI agents: endpoints, auth, plans, credit headers, error codes, the upgrade flow.',
  })
  full(): string {
    return this.build().full;
  }

  /** Built on first request, once every route is registered; the same text after that. */
  private build() {
    if (!this.texts) {
      const { appUrl, streamKeepAliveSeconds } = this.config;
      const sources: LlmsSources = {
        baseUrl: appUrl,
        streamKeepAliveSeconds,
        routes: this.catalog.routes(),
        document: this.document.get(),
        errors: ERROR_CODES,
      };
      this.texts = { brief: llmsText(sources), full: llmsFullText(sources) };
    }
    return this.texts;
  }
}
