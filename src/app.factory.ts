import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { CLS_ID, ClsService } from 'nestjs-cls';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { mountOpenApi } from './api-docs/openapi.js';
import { dropPassThroughEnhancers } from './internals/nest-pass-through-enhancers.js';
import { errorBody, toAppError } from './common/errors/to-error-response.js';
import { depthLimitedJsonParser } from './common/http/json-body-parser.js';
import { clientRequestIdOf, requestIdFor } from './common/http/request-id.js';
import { ServerDrain } from './common/http/server-drain.js';
import { trackUnusedConnections } from './common/http/unused-connections.js';
import type { AppConfig } from './config/app-config.js';
import { AppModule } from './app.module.js';
import { PinoNestLogger } from './observability/pino-nest-logger.js';
import { CLIENT_REQUEST_ID } from './observability/request-log-context.js';
import { setLogTenantReader } from './observability/logger.factory.js';
import { AUTH_CONTEXT, type AuthContext } from './identity/auth/auth-context.js';
import type { StripeSettings } from './billing/stripe/stripe-settings.js';

export const BODY_LIMIT_BYTES = 1_048_576;

/** Builds the HTTP application; `main.ts` and the end-to-end tests share it. */
export async function createApp(
  config: AppConfig,
  databaseUrl: string,
  logger: Logger,
  stripe: StripeSettings | null,
): Promise<NestFastifyApplication> {
  // Lines logged while serving a request name its tenant and env, read from the request's auth context.
  setLogTenantReader(logger, (cls) => cls.get<AuthContext | undefined>(AUTH_CONTEXT)?.scope);
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: requestIdFor,
    requestIdHeader: false,
    trustProxy: config.trustProxy,
    // A request that reaches a kept-open connection while the server closes is served (told to close),
    // not refused with Fastify's own 503.
    return503OnClosing: false,
    // Errors Fastify's router answers itself (broken percent-encoding, an over-long path parameter)
    // in the service's shape, with the request id, instead of Fastify's own.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const refused = toAppError(error);
      void reply.header('x-request-id', request.id).status(refused.status).send(errorBody(refused, request.id));
    },
  });
  // rawBody: Stripe's signature covers the exact bytes it sent.
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config, databaseUrl, logger, stripe }),
    adapter,
    {
      bufferLogs: true,
      rawBody: true,
    },
  );
  app.useLogger(new PinoNestLogger(logger));
  dropPassThroughEnhancers(app);
  if (config.corsOrigins.length > 0) app.enableCors({ origin: config.corsOrigins, credentials: true });

  mountOpenApi(app);

  const fastify = app.getHttpAdapter().getInstance();
  // Replaces Nest's JSON parser (before init registers it) with one that refuses deep nesting first.
  app.useBodyParser('application/json', { bodyLimit: BODY_LIMIT_BYTES }, depthLimitedJsonParser(fastify));
  // Every request starts in a context of its own, even one that never reaches AuthGuard (a 404, a body
  // that fails to parse): on a keep-alive connection it would otherwise run in the previous request's.
  const cls = app.get(ClsService);
  fastify.addHook('onRequest', (request, _reply, done) => {
    cls.enter({ ifNested: 'override' });
    cls.set(CLS_ID, request.id);
    cls.set(CLIENT_REQUEST_ID, clientRequestIdOf(request));
    done();
  });
  // Once shutdown starts (the drain after SIGTERM, or a close without one), every answer closes its
  // connection: a client never sends on a kept-open connection the server is about to end. On close,
  // the listener stops first and a connection opened a moment ago gets to send its request; then the
  // never-used ones are destroyed, so a spare socket cannot hold the server open until its timeout.
  const drain = app.get(ServerDrain);
  const unused = trackUnusedConnections(fastify.server);
  fastify.addHook('preClose', async () => {
    drain.begin();
    await unused.stopAccepting();
    unused.destroy();
  });
  // Callback-style hooks: an async one costs promises on every request for nothing it awaits.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    void reply.header('x-request-id', request.id);
    if (drain.draining) void reply.header('connection', 'close');
    done(null, payload);
  });
  return app;
}
