import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DatabaseOutage } from '../../database/database-outage.js';
import { OverageReporter } from './overage-reporter.js';

const EVERY_MS = 2_000;

/** Runs the overage reporter every two seconds, one round at a time; registered only when Stripe is configured. */
@Injectable()
export class OverageSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Overage');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly reporter: OverageReporter,
    private readonly outage: DatabaseOutage,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.reporter
        .run()
        // While Postgres is down the outage is logged once, not every round.
        .catch((error: unknown) => {
          if (!this.outage.absorbs(error))
            this.logger.error({ err: error }, 'overage round failed; the next one retries');
        })
        .finally(() => (this.running = undefined));
    }, EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  /** No round starts after this; resolves when the one running, if any, has finished. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
