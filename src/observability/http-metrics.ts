import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectMetric, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Histogram } from 'prom-client';
import { ROOT_LOGGER } from './root-logger.token.js';
import { Inject } from '@nestjs/common';

export const HTTP_DURATION = 'http_request_duration_seconds';

export const httpDurationProvider = makeHistogramProvider({
  name: HTTP_DURATION,
  help: 'HTTP request duration by route template and status',
  labelNames: ['method', 'route', 'status_code'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
});

const QUIET_ROUTES = new Set(['/health', '/health/ready', '/metrics']);

/**
 * One Fastify hook per response: the duration histogram, labelled by route template (never the raw
 * URL), and one JSON log line with the request id. No middleware on the request path.
 */
@Injectable()
export class HttpMetrics implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @InjectMetric(HTTP_DURATION) private readonly duration: Histogram<string>,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // Callback style: an async hook costs promises on every request for nothing it awaits.
    fastify.addHook('onResponse', (request, reply, done) => {
      this.record(request, reply);
      done();
    });
  }

  private record(request: FastifyRequest, reply: FastifyReply): void {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    this.duration.observe({ method: request.method, route, status_code: String(status) }, reply.elapsedTime / 1000);
    if (QUIET_ROUTES.has(route)) return;
    // A 503 is an answer chosen on purpose (the database is down, billing is off): the outage itself is
    // logged once as an error where it is noticed, not again for each request that met it.
    const level = status >= 500 && status !== 503 ? 'error' : status >= 400 ? 'warn' : 'info';
    if (!this.logger.isLevelEnabled(level)) return;
    this.logger[level](
      {
        reqId: request.id,
        req: { method: request.method, url: request.url, route },
        res: { statusCode: status },
        responseTime: Math.round(reply.elapsedTime),
      },
      'request completed',
    );
  }
}
