import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { FastifyReply } from 'fastify';
import { Public } from '../identity/auth/decorators.js';

/** Prometheus scrapes without credentials; keep /metrics off the public internet at the proxy. */
@ApiExcludeController()
@Controller()
@Public()
export class MetricsController extends PrometheusController {
  @Get()
  override async index(@Res({ passthrough: true }) response: FastifyReply) {
    return super.index(response);
  }
}
