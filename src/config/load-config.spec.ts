import { readFileSync } from 'node:fs';
import { EnvironmentVariables } from './environment-variables.js';
import { configurationProblems, loadConfig } from './load-config.js';
import { getMetadataStorage } from 'class-validator';

describe('loadConfig', () => {
  it('applies defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.nodeEnv).toBe('development');
    expect(config.defaultEnv).toBe('test');
    expect(config.appUrl).toBe('http://localhost:3000');
    expect(config.billing.enabled).toBe(true);
    expect(config.databaseUrl).toBeUndefined();
  });

  it('names a malformed DATABASE_URL without echoing it', () => {
    const problems = configurationProblems({ DATABASE_URL: 'mysql://root:hunter22@db/billing' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^DATABASE_URL: must be a Postgres URL/);
    expect(problems.join()).not.toContain('hunter22');
  });

  it.each(['abc', '0', '70000', '3.5'])('names an invalid PORT (%s)', (port) => {
    expect(configurationProblems({ PORT: port })).toEqual([`PORT: must be an integer from 1 to 65535 (got "${port}")`]);
  });

  it('refuses an ENABLE_BILLING that is neither true nor false, rather than reading a typo as false', () => {
    expect(configurationProblems({ ENABLE_BILLING: 'flase' })).toEqual([
      'ENABLE_BILLING: must be true or false (got "flase")',
    ]);
    expect(loadConfig({ ENABLE_BILLING: 'off' }).billing.enabled).toBe(false);
    expect(loadConfig({ ENABLE_BILLING: 'YES' }).billing.enabled).toBe(true);
  });

  it('refuses production without JWT settings', () => {
    const problems = configurationProblems({
      NODE_ENV: 'production',
      APP_URL: 'https://billing.example.com',
      ENABLE_BILLING: 'false',
    });
    expect(problems).toEqual([expect.stringMatching(/^JWT_SECRET or JWT_JWKS_URL: one is required in production/)]);
  });

  it('accepts production with a JWKS URL', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      JWT_JWKS_URL: 'https://idp.example.com/.well-known/jwks.json',
      JWT_ISSUER: 'https://idp.example.com/',
      JWT_AUDIENCE: 'billing-api',
      APP_URL: 'https://b.example.com',
      ENABLE_BILLING: 'false',
    });
    expect(config.isProduction).toBe(true);
  });

  it('lists every problem at once', () => {
    const problems = configurationProblems({
      PORT: 'x',
      DEFAULT_ENV: 'staging',
      JWT_SECRET: 'short',
      CORS_ORIGINS: 'not a url',
    });
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual([
      'CORS_ORIGINS',
      'DEFAULT_ENV',
      'JWT_SECRET',
      'PORT',
    ]);
  });

  it('the error message says how to fix it', () => {
    expect(() => loadConfig({ PORT: 'x' })).toThrow(/\.env\.example/);
  });

  it('parses lists and booleans', () => {
    const config = loadConfig({
      CORS_ORIGINS: 'https://a.example.com/, https://b.example.com',
      ENABLE_BILLING: 'false',
      STRIPE_WEBHOOK_SECRET: 'whsec_old123456,whsec_new123456',
    });
    expect(config.corsOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(config.billing.enabled).toBe(false);
    expect(config.billing.webhookSecrets).toEqual(['whsec_old123456', 'whsec_new123456']);
    expect(config.allowedOrigins).toEqual(['http://localhost:3000', 'https://a.example.com', 'https://b.example.com']);
  });

  it('drains 5 s after SIGTERM unless SHUTDOWN_DRAIN_SECONDS says otherwise (0 to 300; 0 closes at once)', () => {
    expect(loadConfig({}).shutdownDrainSeconds).toBe(5);
    expect(loadConfig({ SHUTDOWN_DRAIN_SECONDS: '0' }).shutdownDrainSeconds).toBe(0);
    expect(configurationProblems({ SHUTDOWN_DRAIN_SECONDS: '301' })).toEqual([
      'SHUTDOWN_DRAIN_SECONDS: must be an integer from 0 to 300',
    ]);
  });

  it('collects configured secrets for scrubbing', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://app:s3cret-password@db:5432/billing',
      JWT_SECRET: 'j'.repeat(40),
      STRIPE_SECRET_KEY: 'sk_test_abcdefghijkl',
    });
    expect(config.secretValues).toEqual(
      expect.arrayContaining(['s3cret-password', 'j'.repeat(40), 'sk_test_abcdefghijkl']),
    );
  });

  it('rejects a Stripe key of the wrong shape', () => {
    expect(configurationProblems({ STRIPE_SECRET_KEY: 'pk_test_123' })[0]).toMatch(/^STRIPE_SECRET_KEY:/);
  });
});

describe('.env.example', () => {
  it('documents every variable the schema reads', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]));
    const read = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(EnvironmentVariables, '', true, false)
        .map((m) => m.propertyName),
    );
    expect([...read].filter((name) => !documented.has(name))).toEqual([]);
  });
});

describe('loadConfig edge cases', () => {
  it('treats empty values as unset, so a copied .env.example starts', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const env = Object.fromEntries([...example.matchAll(/^([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    expect(() => loadConfig(env)).not.toThrow();
    expect(loadConfig({ DATABASE_URL: '', JWT_JWKS_URL: '  ' }).databaseUrl).toBeUndefined();
  });

  it('requires issuer and audience with a JWKS URL', () => {
    const problems = configurationProblems({ JWT_JWKS_URL: 'https://idp.example.com/jwks.json' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['JWT_AUDIENCE', 'JWT_ISSUER']);
  });

  it.each([
    [undefined, false],
    ['true', true],
    ['10.0.0.0/8,127.0.0.1', ['10.0.0.0/8', '127.0.0.1']],
  ])('parses TRUST_PROXY=%s', (value, expected) => {
    expect(loadConfig(value ? { TRUST_PROXY: value } : {}).trustProxy).toEqual(expected);
  });
});

describe('production billing settings', () => {
  const production = { NODE_ENV: 'production', APP_URL: 'https://b.example.com', JWT_SECRET: 'j'.repeat(40) };

  it('names every missing Stripe setting', () => {
    expect(configurationProblems(production).map((p) => p.split(':')[0])).toEqual([
      'STRIPE_SECRET_KEY',
      'STRIPE_WEBHOOK_SECRET',
      'STRIPE_PRICE_STARTER',
      'STRIPE_PRICE_PRO',
      'STRIPE_PRICE_ENTERPRISE',
      'STRIPE_PRICE_OVERAGE',
    ]);
  });

  it('needs none of them with ENABLE_BILLING=false', () => {
    expect(loadConfig({ ...production, ENABLE_BILLING: 'false' }).billing.enabled).toBe(false);
  });
});
