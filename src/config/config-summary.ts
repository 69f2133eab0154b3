import type { AppConfig } from './app-config.js';

const KEY_PREFIX = /^((?:sk|rk|pk)_(?:test|live)_|whsec_)/;

/** `sk_test_…4f2a`: enough to tell which key is loaded, never enough to use it. */
export function maskSecret(value: string | undefined): string {
  if (!value) return '(unset)';
  const prefix = KEY_PREFIX.exec(value)?.[1] ?? '';
  return value.length < 12 ? `${prefix}…` : `${prefix}…${value.slice(-4)}`;
}

/** `postgres://user:***@host:port/db`: safe to print. */
export function maskDatabaseUrl(value: string | undefined): string {
  if (!value) return '(unset: embedded Postgres)';
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    // libpq also takes the password as a parameter (?password=…).
    for (const name of [...url.searchParams.keys()]) if (/pass/i.test(name)) url.searchParams.set(name, '***');
    return url.toString();
  } catch {
    return 'DATABASE_URL';
  }
}

/** The start-up summary: every setting that shapes behaviour, secrets masked. */
export function configSummary(config: AppConfig): Record<string, string> {
  const { billing, jwt } = config;
  return {
    NODE_ENV: config.nodeEnv,
    PORT: String(config.port),
    DATABASE_URL: maskDatabaseUrl(config.databaseUrl),
    DATA_DIR: config.dataDir,
    DATABASE_POOL_SIZE: String(config.databasePoolSize),
    APP_URL: config.appUrl,
    CORS_ORIGINS: config.corsOrigins.join(',') || '(none)',
    DEFAULT_ENV: config.defaultEnv,
    BILLING_STREAM_KEEPALIVE_SECONDS: String(config.streamKeepAliveSeconds),
    BILLING_STREAM_MAX_PER_CREDENTIAL: String(config.streamMaxPerCredential),
    RATE_LIMIT_STRIPE_ROUTES_PER_MINUTE: String(config.rateLimits.stripeRoutesPerMinute),
    RATE_LIMIT_FAILED_AUTH_PER_MINUTE: String(config.rateLimits.failedAuthPerMinute),
    RATE_LIMIT_PUBLIC_PER_MINUTE: String(config.rateLimits.publicPerMinute),
    SHUTDOWN_DRAIN_SECONDS: String(config.shutdownDrainSeconds),
    JWT_SECRET: maskSecret(jwt.secret),
    JWT_JWKS_URL: jwt.jwksUrl ?? '(unset)',
    JWT_ISSUER: jwt.issuer ?? '(unset)',
    JWT_AUDIENCE: jwt.audience ?? '(unset)',
    JWT_MAX_AGE_SECONDS: String(jwt.maxAgeSeconds),
    ENABLE_BILLING: String(billing.enabled),
    STRIPE_SECRET_KEY: maskSecret(billing.stripeSecretKey),
    STRIPE_WEBHOOK_SECRET: billing.webhookSecrets.map(maskSecret).join(',') || '(unset)',
    STRIPE_API_BASE: billing.stripeApiBase ?? '(unset: api.stripe.com)',
    STRIPE_MAX_CONCURRENCY: String(billing.stripeMaxConcurrency),
    STRIPE_PRICE_STARTER: billing.prices.starter ?? '(unset)',
    STRIPE_PRICE_PRO: billing.prices.pro ?? '(unset)',
    STRIPE_PRICE_ENTERPRISE: billing.prices.enterprise ?? '(unset)',
    STRIPE_PRICE_OVERAGE: billing.prices.overage ?? '(unset)',
    STRIPE_METER_EVENT_NAME: billing.meterEventName,
  };
}
