import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { IsHttpUrl, IsPostgresUrl, IsUrlList } from './url.validators.js';

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];
/** Anything else is left as it is for @IsBoolean to refuse: `ENABLE_BILLING=flase` must not quietly turn billing off. */
const toBoolean = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const text = value.toLowerCase();
  return TRUE.includes(text) ? true : FALSE.includes(text) ? false : value;
};
const toInteger = ({ value }: { value: unknown }) =>
  value === undefined || value === ''
    ? undefined
    : typeof value === 'string' && /^-?\d+$/.test(value)
      ? Number(value)
      : value;

/** An optional whole-number setting within [min, max], with one message for every way it can be wrong. */
function OptionalIntegerFrom(min: number, max: number): PropertyDecorator {
  const message = `must be an integer from ${min} to ${max}`;
  return applyDecorators(
    IsOptional(),
    Transform(toInteger),
    IsInt({ message }),
    Min(min, { message }),
    Max(max, { message }),
  );
}

/**
 * Every environment variable the service reads. `.env.example` documents each one;
 * `load-config.spec.ts` keeps the two in step.
 */
export class EnvironmentVariables {
  @OptionalIntegerFrom(1, 65535)
  PORT?: number;

  @IsOptional()
  @IsIn(['development', 'test', 'production'], { message: 'must be one of development, test, production' })
  NODE_ENV?: 'development' | 'test' | 'production';

  @IsOptional()
  @Matches(/^(true|false|[0-9a-fA-F:./]+(,[0-9a-fA-F:./]+)*)$/, {
    message: 'must be true, false, or comma-separated proxy addresses/CIDRs',
  })
  TRUST_PROXY?: string;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: 'must be one of fatal, error, warn, info, debug, trace, silent',
  })
  LOG_LEVEL?: string;

  @IsOptional()
  @IsPostgresUrl()
  DATABASE_URL?: string;

  @IsOptional()
  @IsString()
  DATA_DIR?: string;

  @OptionalIntegerFrom(2, 500)
  DATABASE_POOL_SIZE?: number;

  @OptionalIntegerFrom(1, 300)
  BILLING_STREAM_KEEPALIVE_SECONDS?: number;

  @OptionalIntegerFrom(1, 1000)
  BILLING_STREAM_MAX_PER_CREDENTIAL?: number;

  @OptionalIntegerFrom(1, 10_000)
  RATE_LIMIT_STRIPE_ROUTES_PER_MINUTE?: number;

  @OptionalIntegerFrom(1, 100_000)
  RATE_LIMIT_FAILED_AUTH_PER_MINUTE?: number;

  @OptionalIntegerFrom(1, 100_000)
  RATE_LIMIT_PUBLIC_PER_MINUTE?: number;
  @OptionalIntegerFrom(0, 300)
  SHUTDOWN_DRAIN_SECONDS?: number;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters (e.g. `openssl rand -hex 32`)' })
  JWT_SECRET?: string;

  @IsOptional()
  @IsHttpUrl()
  JWT_JWKS_URL?: string;

  @IsOptional()
  @IsString()
  JWT_ISSUER?: string;

  @IsOptional()
  @IsString()
  JWT_AUDIENCE?: string;

  @OptionalIntegerFrom(60, 31_536_000)
  JWT_MAX_AGE_SECONDS?: number;

  @IsOptional()
  @IsHttpUrl()
  APP_URL?: string;

  @IsOptional()
  @IsUrlList()
  CORS_ORIGINS?: string;

  @IsOptional()
  @IsIn(['test', 'live'], { message: 'must be test or live' })
  DEFAULT_ENV?: 'test' | 'live';

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'must be true or false' })
  ENABLE_BILLING?: boolean;

  @IsOptional()
  @Matches(/^(sk|rk)_(test|live)_[A-Za-z0-9]+$/, { message: 'must be a Stripe secret key (sk_test_… or sk_live_…)' })
  STRIPE_SECRET_KEY?: string;

  @IsOptional()
  @Matches(/^whsec_[A-Za-z0-9]+(,whsec_[A-Za-z0-9]+)*$/, {
    message: 'must be one or more comma-separated Stripe webhook secrets (whsec_…)',
  })
  STRIPE_WEBHOOK_SECRET?: string;

  @IsOptional()
  @IsHttpUrl()
  STRIPE_API_BASE?: string;

  @OptionalIntegerFrom(1, 1_000)
  STRIPE_MAX_CONCURRENCY?: number;

  @IsOptional()
  @Matches(/^price_[A-Za-z0-9]+$/, { message: 'must be a Stripe price id (price_…)' })
  STRIPE_PRICE_STARTER?: string;

  @IsOptional()
  @Matches(/^price_[A-Za-z0-9]+$/, { message: 'must be a Stripe price id (price_…)' })
  STRIPE_PRICE_PRO?: string;

  @IsOptional()
  @Matches(/^price_[A-Za-z0-9]+$/, { message: 'must be a Stripe price id (price_…)' })
  STRIPE_PRICE_ENTERPRISE?: string;

  @IsOptional()
  @Matches(/^price_[A-Za-z0-9]+$/, { message: 'must be a Stripe price id (price_…)' })
  STRIPE_PRICE_OVERAGE?: string;

  @IsOptional()
  @Matches(/^[a-z0-9_.-]{1,100}$/i, { message: 'must be a Billing Meter event name (letters, digits, _ . -)' })
  STRIPE_METER_EVENT_NAME?: string;
}
