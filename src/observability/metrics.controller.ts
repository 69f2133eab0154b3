import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/http/public.decorator.js';

/** Prometheus scrapes without credentials; keep /metrics off the public internet at the proxy. */
@ApiTags('operations')
@Controller()
@Public()
export class MetricsController extends PrometheusController {
  @Get()
  @ApiProduces('text/plain')
  @ApiOperation({ summary: 'Prometheus metrics (text format). Unauthenticated: keep it on the internal network.' })
  override async index(@Res({ passthrough: true }) response: FastifyReply) {
    return super.index(response);
  }
}
