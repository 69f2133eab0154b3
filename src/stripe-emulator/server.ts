import Fastify, { type FastifyInstance } from 'fastify';
import qs from 'qs';
import type { EmulatorContext } from './context.js';
import { registerBillingRoutes } from './routes/billing.routes.js';
import { registerCatalogRoutes } from './routes/catalog.routes.js';
import { registerCheckoutRoutes } from './routes/checkout.routes.js';
import { registerControlRoutes } from './routes/control.routes.js';
import { registerEventRoutes } from './routes/events.routes.js';
import { registerPortalRoutes } from './routes/portal.routes.js';
import { StripeApiError } from './stripe-error.js';

const parseForm = (text: string) => qs.parse(text, { depth: 10, arrayLimit: 100, parameterLimit: 2_000 });

const maskKey = (key: string) => `${key.slice(0, 8)}${'*'.repeat(Math.max(key.length - 12, 4))}${key.slice(-4)}`;

/** The secret key from `Bearer <key>`, or from `Basic base64(<key>:)` as `curl -u sk_test_…:` sends it. */
function secretKeyOf(authorization = ''): string | undefined {
  const bearer = /^Bearer (.+)$/.exec(authorization)?.[1];
  if (bearer) return bearer;
  const basic = /^Basic (.+)$/.exec(authorization)?.[1];
  return basic ? Buffer.from(basic, 'base64').toString('utf8').split(':')[0] || undefined : undefined;
}

/** Stripe's auth: a secret key on every /v1 request, answered in Stripe's 401 shape. */
function authenticate(ctx: EmulatorContext, authorization: string | undefined): StripeApiError | undefined {
  const key = secretKeyOf(authorization);
  if (!key) {
    return new StripeApiError(
      401,
      'invalid_request_error',
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    );
  }
  if (key !== ctx.secretKey)
    return new StripeApiError(401, 'invalid_request_error', `Invalid API Key provided: ${maskKey(key)}`);
  return undefined;
}

export function buildEmulatorServer(ctx: EmulatorContext): FastifyInstance {
  const app = Fastify({
    routerOptions: { querystringParser: (text) => parseForm(text) as Record<string, string> },
    bodyLimit: 1_048_576,
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
    done(null, parseForm(String(body))),
  );
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/v1/')) return;
    const error = authenticate(ctx, request.headers.authorization);
    if (error) return reply.status(401).header('www-authenticate', 'Bearer realm="Stripe"').send(error.toJSON());
  });
  app.setErrorHandler((error, _request, reply) => {
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    const shaped =
      status < 500
        ? new StripeApiError(status, 'invalid_request_error', (error as Error).message)
        : new StripeApiError(500, 'api_error', 'An unknown error occurred in the emulator.');
    return reply.status(shaped.status).send(shaped.toJSON());
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send(
        new StripeApiError(
          404,
          'invalid_request_error',
          `Unrecognized request URL (${request.method}: ${request.url.split('?')[0]}).`,
        ).toJSON(),
      ),
  );
  registerCatalogRoutes(app, ctx);
  registerCheckoutRoutes(app, ctx);
  registerBillingRoutes(app, ctx);
  registerPortalRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  registerControlRoutes(app, ctx);
  return app;
}
