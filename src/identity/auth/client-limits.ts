import { Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../../common/errors/app-error.js';
import { rateLimited } from '../../common/errors/common.errors.js';
import { AppConfig } from '../../config/app-config.js';
import { RATE_LIMITED, type RateLimitName } from '../../observability/rate-limit-metrics.js';

const WINDOW_SECONDS = 60;

/** Credentials that were presented and are wrong; a request without any costs nothing to refuse. */
const isFailedAuthentication = (error: unknown) =>
  error instanceof AppError && error.status === 401 && error.code !== 'unauthenticated';

/**
 * Limits per client address (`request.ip`, which honours TRUST_PROXY), in this instance's memory:
 * an address that guesses credentials, or floods the public routes, is refused with 429 and
 * Retry-After for the rest of its one-minute window. Successful authentications never count.
 */
@Injectable()
export class ClientLimits {
  private readonly logger = new Logger('RateLimits');
  private readonly failures: RateLimiterMemory;
  private readonly publicRequests: RateLimiterMemory;

  constructor(
    config: AppConfig,
    @InjectMetric(RATE_LIMITED) private readonly refused: Counter<string>,
  ) {
    const { failedAuthPerMinute, publicPerMinute } = config.rateLimits;
    this.failures = new RateLimiterMemory({ points: failedAuthPerMinute, duration: WINDOW_SECONDS });
    this.publicRequests = new RateLimiterMemory({ points: publicPerMinute, duration: WINDOW_SECONDS });
    // Exported from the start, so a rate() over them has a zero to start from.
    for (const limit of ['failed_auth', 'public']) refused.inc({ limit }, 0);
  }

  /** Before a credential costs a database lookup: an address that used up its failures gets no more. */
  async beforeLookup(client: string): Promise<void> {
    const used = await this.failures.get(client);
    if (used && used.remainingPoints === 0 && used.msBeforeNext > 0)
      throw this.refuse('failed_auth', used.msBeforeNext);
  }

  /** What a failed authentication answers: its own 401 within the limit, 429 past it. Other errors pass. */
  async failed(client: string, error: unknown): Promise<never> {
    if (!isFailedAuthentication(error)) throw error;
    try {
      this.noteLast('failed_auth', client, await this.failures.consume(client));
    } catch (over) {
      if (over instanceof RateLimiterRes) throw this.refuse('failed_auth', over.msBeforeNext);
      throw over;
    }
    throw error;
  }

  async admitPublic(client: string): Promise<true> {
    try {
      this.noteLast('public', client, await this.publicRequests.consume(client));
      return true;
    } catch (over) {
      if (over instanceof RateLimiterRes) throw this.refuse('public', over.msBeforeNext);
      throw over;
    }
  }

  /** Once per address and window, when it has just used up its allowance: who, and until when. */
  private noteLast(limit: RateLimitName, client: string, used: RateLimiterRes): void {
    if (used.remainingPoints > 0) return;
    const retryAfterSeconds = Math.ceil(used.msBeforeNext / 1000);
    this.logger.warn(
      { limit, client, retryAfterSeconds },
      `${client} reached the ${limit} limit; it is refused with 429 for ${retryAfterSeconds} s`,
    );
  }

  private refuse(limit: Extract<RateLimitName, 'failed_auth' | 'public'>, retryAfterMs: number): AppError {
    this.refused.inc({ limit });
    return limit === 'failed_auth'
      ? rateLimited('Too many failed authentications from this address.', retryAfterMs)
      : rateLimited('Too many requests from this address.', retryAfterMs);
  }
}
