import { type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import type { Logger } from 'pino';
import { register } from 'prom-client';
import { HttpMetrics, httpDurationProvider } from './http-metrics.js';
import { MetricsController } from './metrics.controller.js';
import { ROOT_LOGGER } from './root-logger.token.js';

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
        PrometheusModule.register({
          path: '/metrics',
          controller: MetricsController,
          defaultMetrics: { enabled: true },
        }),
      ],
      providers: [{ provide: ROOT_LOGGER, useValue: rootLogger }, httpDurationProvider, HttpMetrics],
    };
  }
}
