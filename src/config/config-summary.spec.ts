import { configSummary, maskDatabaseUrl, maskSecret } from './config-summary.js';
import { loadConfig } from './load-config.js';

describe('configuration summary', () => {
  it('masks Stripe keys to their mode and last four characters', () => {
    expect(maskSecret('sk_test_51Habcdefghijkl4f2a')).toBe('sk_test_…4f2a');
    expect(maskSecret('whsec_abcdefghijklmnop')).toBe('whsec_…mnop');
  });

  it('shows nothing of a short secret', () => {
    expect(maskSecret('tiny')).toBe('…');
    expect(maskSecret(undefined)).toBe('(unset)');
  });

  it('hides the database password wherever the URL carries it', () => {
    expect(maskDatabaseUrl('postgres://app:hunter2@db:5432/billing')).toBe('postgres://app:***@db:5432/billing');
    expect(maskDatabaseUrl('postgres://billing@db/billing?password=hunter22&sslmode=require')).toBe(
      'postgres://billing@db/billing?password=***&sslmode=require',
    );
    expect(maskDatabaseUrl('not a url hunter22')).toBe('DATABASE_URL');
  });

  it('never contains a configured secret in full', () => {
    const config = loadConfig({
      JWT_SECRET: 'jwt-secret-value-that-is-long-enough-0000',
      STRIPE_SECRET_KEY: 'sk_live_abcdefghijklmnopqrstuvwx',
      STRIPE_WEBHOOK_SECRET: 'whsec_abcdefghijklmnop',
      DATABASE_URL: 'postgres://app:hunter2hunter2@db:5432/billing',
    });
    const summary = JSON.stringify(configSummary(config));
    for (const secret of config.secretValues) expect(summary).not.toContain(secret);
    expect(summary).toContain('sk_live_…uvwx');
  });
});
