import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Serves the OpenAPI document built from the controllers' decorators: UI at /docs, JSON at /docs-json. */
export function mountOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Billing and entitlements service')
    .setDescription('Plans through Stripe, entitlements in Postgres, metered requests. Tenant and env come from the credentials.')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key (bk_test_…/bk_live_…) or a JWT with x-tenant-id' })
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, config));
}
