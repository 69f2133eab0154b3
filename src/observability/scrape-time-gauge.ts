import { Gauge, type GaugeConfiguration, register } from 'prom-client';

/**
 * A gauge whose value is read (usually from Postgres) when Prometheus scrapes, so every instance
 * reports the same truth. Replaces a gauge of the same name, because each app instance in one
 * process (the tests start several) must read from its own database. A failed read keeps the
 * previous value: a scrape must still answer while the database is down.
 */
export function registerScrapeTimeGauge<L extends string>(
  config: Omit<GaugeConfiguration<L>, 'collect'>,
  read: (gauge: Gauge<L>) => Promise<void>,
): Gauge<L> {
  if (register.getSingleMetric(config.name)) register.removeSingleMetric(config.name);
  return new Gauge<L>({
    ...config,
    async collect() {
      await read(this).catch(() => undefined);
    },
  });
}
