import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SignJWT } from 'jose';
import { Writable } from 'node:stream';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory.js';
import type { StripeSettings } from '../../src/billing/stripe/stripe-settings.js';
import type { AppConfig } from '../../src/config/app-config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { TenantsService } from '../../src/identity/tenants.service.js';
import { createRootLogger } from '../../src/observability/logger.factory.js';
import { ClsService } from 'nestjs-cls';
import { createTestDatabase } from './test-database.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long';

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  token?: string;
  tenantId?: string;
  env?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  baseUrl: string;
  databaseUrl: string;
  /** Every log line the app wrote, for checking what reaches the logs. */
  logs: string[];
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<HttpResult<T>>;
  /** A tenant with an owner API key, made the way the CLI makes one. */
  createTenant(
    name?: string,
    env?: 'test' | 'live',
  ): Promise<{ tenantId: string; apiKey: string; ownerUserId: string }>;
  mintToken(subject: string, email?: string, claims?: Record<string, unknown>): Promise<string>;
  query<T = any>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * Boots the app in-process on its own database. Billing is off unless `stripe` (usually a test's
 * own emulator) is given, so no test reaches a Stripe it did not set up.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  databaseUrl?: string,
  stripe: StripeSettings | null = null,
): Promise<TestApp> {
  const database = databaseUrl ? { url: databaseUrl, drop: async () => undefined } : await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    DATABASE_URL: database.url,
    LOG_LEVEL: 'info',
    ENABLE_BILLING: String(!!stripe),
    ...env,
  });
  const logs: string[] = [];
  const sink = new Writable({ write: (chunk, _encoding, done) => (logs.push(String(chunk)), done()) });
  const app = await createApp(config, database.url, createRootLogger(config, sink), stripe);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const dataSource = app.get(DataSource);

  return {
    app,
    config,
    baseUrl,
    databaseUrl: database.url,
    logs,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (options.tenantId) headers['x-tenant-id'] = options.tenantId;
      if (options.env) headers['x-env'] = options.env;
      let body: string | undefined = options.rawBody;
      if (options.body !== undefined) body = JSON.stringify(options.body);
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: response.status, headers: response.headers, body: parsed as any };
    },
    async createTenant(name = 'Acme', tenantEnv = 'test') {
      const result = await app
        .get(ClsService)
        .run(() =>
          app
            .get(TenantsService)
            .provision(name, `owner-${Math.random().toString(36).slice(2)}@example.com`, tenantEnv),
        );
      return { tenantId: result.tenant_id, apiKey: result.api_key, ownerUserId: result.owner_user_id };
    },
    mintToken(subject, email, claims = {}) {
      return new SignJWT({ email, email_verified: email !== undefined, ...claims })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(subject)
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(config.jwt.secret));
    },
    query: (sql, params) => dataSource.query(sql, params),
    async close() {
      await app.close();
      await database.drop();
    },
  };
}
