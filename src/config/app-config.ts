export type StripeEnv = 'test' | 'live';

export interface JwtSettings {
  secret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  /** The longest a user token may live: its age since `iat`, and its whole lifetime up to `exp`. */
  maxAgeSeconds: number;
}

export interface BillingSettings {
  enabled: boolean;
  stripeSecretKey?: string;
  webhookSecrets: string[];
  stripeApiBase?: string;
  /** Stripe calls in flight at once in this process; more wait their turn, holding nothing. */
  stripeMaxConcurrency: number;
  prices: { starter?: string; pro?: string; enterprise?: string; overage?: string };
  meterEventName: string;
}

/** Requests a minute, counted in fixed one-minute windows (see docs/operations.md, "Rate limits"). */
export interface RateLimitSettings {
  /** Per tenant and env, across instances: every request to a route that calls Stripe. */
  stripeRoutesPerMinute: number;
  /** Per client address, per instance: failed authentications (401). */
  failedAuthPerMinute: number;
  /** Per client address, per instance: requests to public routes (not the webhook, not the health probes). */
  publicPerMinute: number;
}

/** The validated, typed configuration. Built once at start-up by `loadConfig`. */
export class AppConfig {
  readonly nodeEnv: 'development' | 'test' | 'production';
  readonly trustProxy: boolean | string[];
  readonly port: number;
  readonly logLevel: string;
  readonly databaseUrl?: string;
  readonly databasePoolSize: number;
  readonly dataDir: string;
  readonly jwt: JwtSettings;
  readonly appUrl: string;
  readonly corsOrigins: string[];
  readonly defaultEnv: StripeEnv;
  readonly billing: BillingSettings;
  /** How often GET /billing/stream writes a keep-alive comment (proxies drop idle connections). */
  readonly streamKeepAliveSeconds: number;
  /** Concurrent GET /billing/stream connections one API key or user may hold on an instance. */
  readonly streamMaxPerCredential: number;
  readonly rateLimits: RateLimitSettings;
  /** After SIGTERM, how long the listener keeps serving (readiness 503) before it closes. */
  readonly shutdownDrainSeconds: number;

  constructor(values: Omit<AppConfig, 'isProduction' | 'allowedOrigins' | 'secretValues'>) {
    Object.assign(this, values);
  }

  get isProduction(): boolean {
    return this.nodeEnv === 'production';
  }

  /** Origins a redirect may point at: the app itself and the configured CORS origins. */
  get allowedOrigins(): string[] {
    return [new URL(this.appUrl).origin, ...this.corsOrigins];
  }

  /** Every configured secret value, so logs and errors can scrub them. */
  get secretValues(): string[] {
    const databasePassword = this.databaseUrl ? decodeURIComponent(new URL(this.databaseUrl).password) : '';
    return [this.jwt.secret, this.billing.stripeSecretKey, ...this.billing.webhookSecrets, databasePassword].filter(
      (value): value is string => !!value && value.length >= 8,
    );
  }
}
