import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ApiDocument } from './api-document.js';
import { LlmsController } from './llms.controller.js';
import { RouteCatalog } from './route-catalog.js';

/** The API described from the running code: OpenAPI at /docs (mounted by the app factory) and /llms*.txt for agents. */
@Module({
  imports: [DiscoveryModule],
  controllers: [LlmsController],
  providers: [RouteCatalog, ApiDocument],
})
export class DocsModule {}
