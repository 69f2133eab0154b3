import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ERROR_CODES } from '../common/errors/app-error.js';
import { ApiDocument } from './api-document.js';
import { operationOf, type RouteInfo, RouteCatalog } from './route-catalog.js';
import { routeErrors } from './route-errors.js';

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;

const ERROR_SCHEMA = 'ErrorResponse';

function securityOf(route: RouteInfo): Operation['security'] {
  if (route.access === 'public') return [];
  if (route.access === 'stripe_signature') return [{ stripe_signature: [] }];
  if (route.access === 'operator' || route.access === 'user') return [{ user_jwt: [] }];
  return [{ api_key: [] }, { user_jwt: [] }];
}

function errorResponseSchema() {
  return {
    type: 'object' as const,
    required: ['error'],
    properties: {
      error: {
        type: 'object' as const,
        required: ['code', 'message', 'request_id'],
        properties: {
          code: { type: 'string' as const, enum: [...ERROR_CODES.keys()].sort() },
          message: { type: 'string' as const },
          request_id: { type: 'string' as const },
          details: {
            type: 'array' as const,
            items: { type: 'object' as const },
            description: 'validation_failed: one entry per field',
          },
        },
      },
    },
  };
}

/** Security, tenant headers and error responses per operation, from what the route's guards require. */
export function completeDocument(document: OpenAPIObject, routes: RouteInfo[]): OpenAPIObject {
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, [ERROR_SCHEMA]: errorResponseSchema() },
  };
  for (const route of routes) {
    const operation = operationOf(document, route);
    if (!operation) continue;
    operation.security = securityOf(route);
    const hasParameters = (operation.parameters ?? []).length > 0;
    if (route.access === 'roles') {
      operation.parameters = [
        ...(operation.parameters ?? []),
        {
          name: 'X-Tenant-Id',
          in: 'header',
          required: false,
          description: 'With a user JWT: the tenant to act on. API keys carry their tenant.',
          schema: { type: 'string', format: 'uuid' },
        },
        {
          name: 'X-Env',
          in: 'header',
          required: false,
          description: 'With a user JWT: test or live (default DEFAULT_ENV). API keys carry their env.',
          schema: { type: 'string', enum: ['test', 'live'] },
        },
      ];
    }
    for (const [status, codes] of routeErrors(route, hasParameters)) {
      operation.responses[status] ??= {
        description: `Error codes: ${codes.join(', ')}`,
        content: { 'application/json': { schema: { $ref: `#/components/schemas/${ERROR_SCHEMA}` } } },
      };
    }
  }
  const catalog = [...ERROR_CODES.entries()].map(([code, info]) => ({
    code,
    status: info.status,
    message: info.message,
  }));
  document['x-error-codes' as keyof OpenAPIObject] = catalog as never;
  document.info.description += `\n\n## Error codes\n\nEvery error is \`{"error":{"code","message","request_id"}}\`.\n\n| code | status | meaning |\n|---|---|---|\n${catalog
    .map((e) => `| \`${e.code}\` | ${e.status} | ${e.message} |`)
    .join('\n')}`;
  return document;
}

/** Serves the OpenAPI document built from the controllers' decorators: UI at /docs, JSON at /docs-json. */
export function mountOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Billing and entitlements service')
    .setDescription(
      'Plans through Stripe, entitlements in Postgres, metered requests. Tenant and env come from the credentials. For AI agents: /llms.txt and /llms-full.txt.',
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description: 'An API key (bk_test_… / bk_live_…): its tenant, env and role come with it.',
      },
      'api_key',
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'A user’s JWT from the identity provider; name the tenant with X-Tenant-Id and the env with X-Env.',
      },
      'user_jwt',
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'Stripe-Signature',
        description: 'Stripe’s webhook signature (STRIPE_WEBHOOK_SECRET).',
      },
      'stripe_signature',
    )
    .build();
  const holder = app.get(ApiDocument);
  holder.setBuilder(() => completeDocument(SwaggerModule.createDocument(app, config), app.get(RouteCatalog).routes()));
  SwaggerModule.setup('docs', app, () => holder.get());
}
