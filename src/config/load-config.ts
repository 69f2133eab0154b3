import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import path from 'node:path';
import { AppConfig } from './app-config.js';
import { EnvironmentVariables } from './environment-variables.js';

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(
      [
        'The configuration is invalid, so the service will not start:',
        ...problems.map((problem) => `  - ${problem}`),
        'Set these in the environment or in .env (every variable is described in .env.example).',
      ].join('\n'),
    );
    this.name = 'ConfigurationError';
  }
}

/** Values safe to echo back; everything else may be a secret (a URL can hold a password). */
const ECHOABLE = new Set(['PORT', 'NODE_ENV', 'LOG_LEVEL', 'DEFAULT_ENV', 'ENABLE_BILLING']);

const describe = (error: ValidationError) => {
  const problems = [...new Set(Object.values(error.constraints ?? {}))].join('; ');
  const got = ECHOABLE.has(error.property) ? ` (got ${JSON.stringify(String(error.value))})` : '';
  return `${error.property}: ${problems}${got}`;
};

const STRIPE_REQUIRED_IN_PRODUCTION = [
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'STRIPE_PRICE_STARTER',
  'STRIPE_PRICE_PRO',
  'STRIPE_PRICE_ENTERPRISE',
  'STRIPE_PRICE_OVERAGE',
] as const;

function crossFieldProblems(env: EnvironmentVariables): string[] {
  const problems: string[] = [];
  // A shared identity provider signs tokens for many applications: only iss and aud tell ours apart.
  if (env.JWT_JWKS_URL && !env.JWT_ISSUER)
    problems.push('JWT_ISSUER: required with JWT_JWKS_URL, so tokens from other issuers are refused');
  if (env.JWT_JWKS_URL && !env.JWT_AUDIENCE)
    problems.push('JWT_AUDIENCE: required with JWT_JWKS_URL, so tokens meant for other applications are refused');
  if (env.NODE_ENV !== 'production') return problems;
  if (!env.JWT_SECRET && !env.JWT_JWKS_URL) {
    problems.push('JWT_SECRET or JWT_JWKS_URL: one is required in production to verify user tokens');
  }
  if (!env.APP_URL) problems.push('APP_URL: required in production (checkout and portal redirects return there)');
  if (env.ENABLE_BILLING === false) return problems;
  const stripeHint = 'required in production while ENABLE_BILLING is true (`npm run stripe:setup` writes the prices)';
  for (const name of STRIPE_REQUIRED_IN_PRODUCTION) if (!env[name]) problems.push(`${name}: ${stripeHint}`);
  return problems;
}

/** `true`, or a comma-separated list of trusted proxy addresses/CIDRs, as Fastify takes it. */
function parseTrustProxy(value?: string): boolean | string[] {
  if (!value || value === 'false') return false;
  if (value === 'true') return true;
  return splitList(value);
}

const splitList = (value?: string) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

function parse(raw: NodeJS.ProcessEnv) {
  // `NAME=` (as in a copied .env.example) means unset, not an empty value to validate.
  const present = Object.fromEntries(
    Object.entries(raw).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const env = plainToInstance(EnvironmentVariables, present, { excludeExtraneousValues: false });
  return {
    env,
    problems: [...validateSync(env, { skipMissingProperties: false }).map(describe), ...crossFieldProblems(env)],
  };
}

/** Every problem with these variables, one `NAME: problem` line each; empty when they are fine. */
export function configurationProblems(raw: NodeJS.ProcessEnv): string[] {
  return parse(raw).problems;
}

/** Validates raw environment variables and returns the typed configuration, or throws naming every problem. */
export function loadConfig(raw: NodeJS.ProcessEnv, cwd = process.cwd()): AppConfig {
  const { env, problems } = parse(raw);
  if (problems.length > 0) throw new ConfigurationError(problems);

  const port = env.PORT ?? 3000;
  return new AppConfig({
    nodeEnv: env.NODE_ENV ?? 'development',
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    port,
    logLevel: env.LOG_LEVEL ?? 'info',
    databaseUrl: env.DATABASE_URL,
    databasePoolSize: env.DATABASE_POOL_SIZE ?? 30,
    dataDir: path.resolve(cwd, env.DATA_DIR ?? '.data'),
    jwt: {
      secret: env.JWT_SECRET,
      jwksUrl: env.JWT_JWKS_URL,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      maxAgeSeconds: env.JWT_MAX_AGE_SECONDS ?? 86_400,
    },
    appUrl: (env.APP_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    corsOrigins: splitList(env.CORS_ORIGINS).map((origin) => new URL(origin).origin),
    defaultEnv: env.DEFAULT_ENV ?? 'test',
    streamKeepAliveSeconds: env.BILLING_STREAM_KEEPALIVE_SECONDS ?? 15,
    streamMaxPerCredential: env.BILLING_STREAM_MAX_PER_CREDENTIAL ?? 20,
    rateLimits: {
      stripeRoutesPerMinute: env.RATE_LIMIT_STRIPE_ROUTES_PER_MINUTE ?? 20,
      failedAuthPerMinute: env.RATE_LIMIT_FAILED_AUTH_PER_MINUTE ?? 60,
      publicPerMinute: env.RATE_LIMIT_PUBLIC_PER_MINUTE ?? 600,
    },
    shutdownDrainSeconds: env.SHUTDOWN_DRAIN_SECONDS ?? 5,
    billing: {
      enabled: env.ENABLE_BILLING ?? true,
      stripeSecretKey: env.STRIPE_SECRET_KEY,
      webhookSecrets: splitList(env.STRIPE_WEBHOOK_SECRET),
      stripeApiBase: env.STRIPE_API_BASE,
      stripeMaxConcurrency: env.STRIPE_MAX_CONCURRENCY ?? 16,
      prices: {
        starter: env.STRIPE_PRICE_STARTER,
        pro: env.STRIPE_PRICE_PRO,
        enterprise: env.STRIPE_PRICE_ENTERPRISE,
        overage: env.STRIPE_PRICE_OVERAGE,
      },
      meterEventName: env.STRIPE_METER_EVENT_NAME ?? 'api_characters',
    },
  });
}
