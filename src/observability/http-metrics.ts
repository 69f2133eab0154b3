import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectMetric, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import type { FastifyInstance } from 'fastify';
import type { Histogram } from 'prom-client';

export const HTTP_DURATION = 'http_request_duration_seconds';

export const httpDurationProvider = makeHistogramProvider({
  name: HTTP_DURATION,
  help: 'HTTP request duration by route template and status',
  labelNames: ['method', 'route', 'status_code'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
});

/** Observes every response from a Fastify hook, labelled by the route template (never the raw URL). */
@Injectable()
export class HttpMetrics implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @InjectMetric(HTTP_DURATION) private readonly duration: Histogram<string>,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onResponse', async (request, reply) => {
      this.duration.observe(
        { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });
  }
}
