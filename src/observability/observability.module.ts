import { type DynamicModule, Module, type OnApplicationShutdown, RequestMethod } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { register } from 'prom-client';
import { requestIdFor } from '../common/http/request-id.js';
import { HttpMetrics, httpDurationProvider } from './http-metrics.js';
import { MetricsController } from './metrics.controller.js';

const QUIET_ROUTES = new Set(['/health', '/health/ready', '/metrics']);

@Module({})
export class ObservabilityModule implements OnApplicationShutdown {
  /** The default registry is process-wide; an application that closes takes its metrics with it. */
  onApplicationShutdown(): void {
    register.clear();
  }

  static forRoot(rootLogger: Logger): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRoot({
          // nestjs-pino's default pattern does not match under Fastify 5; this one does (as nestjs-cls uses).
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
          pinoHttp: {
            logger: rootLogger,
            genReqId: (request: IncomingMessage & { id?: string }) => request.id ?? requestIdFor(request),
            // Middie rewrites `url` inside middleware; `originalUrl` keeps the path the client asked for.
            autoLogging: {
              ignore: (request: IncomingMessage & { originalUrl?: string }) =>
                QUIET_ROUTES.has((request.originalUrl ?? request.url ?? '').split('?')[0]),
            },
            customLogLevel: (_request, response, error) =>
              error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
            quietReqLogger: true,
          },
        }),
        PrometheusModule.register({ path: '/metrics', controller: MetricsController, defaultMetrics: { enabled: true } }),
      ],
      providers: [httpDurationProvider, HttpMetrics],
    };
  }
}
