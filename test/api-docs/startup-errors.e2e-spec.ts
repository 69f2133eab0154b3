import { getMetadataStorage } from 'class-validator';
import { readFileSync } from 'node:fs';
import { EnvironmentVariables } from '../../src/config/environment-variables.js';
import { configurationProblems } from '../../src/config/load-config.js';

const SETUP_DOC = readFileSync(new URL('../../docs/billing/stripe-setup.md', import.meta.url), 'utf8');
const matrix = SETUP_DOC.slice(SETUP_DOC.indexOf('## Troubleshooting start-up'));

/** One bad value for every variable that can be wrong. */
const BAD_VALUES: Record<string, string> = {
  PORT: 'eighty',
  NODE_ENV: 'prod',
  TRUST_PROXY: 'maybe',
  LOG_LEVEL: 'loud',
  DATABASE_URL: 'mysql://db/billing',
  DATABASE_POOL_SIZE: '1',
  BILLING_STREAM_KEEPALIVE_SECONDS: '0',
  BILLING_STREAM_MAX_PER_CREDENTIAL: '0',
  RATE_LIMIT_STRIPE_ROUTES_PER_MINUTE: 'twenty',
  RATE_LIMIT_FAILED_AUTH_PER_MINUTE: '0',
  RATE_LIMIT_PUBLIC_PER_MINUTE: '-1',
  SHUTDOWN_DRAIN_SECONDS: '301',
  JWT_SECRET: 'short',
  JWT_MAX_AGE_SECONDS: '0',
  JWT_JWKS_URL: 'ftp://idp.example.com/jwks',
  APP_URL: 'billing.example.com',
  CORS_ORIGINS: '*',
  DEFAULT_ENV: 'prod',
  ENABLE_BILLING: 'flase',
  STRIPE_SECRET_KEY: 'pk_test_abc',
  STRIPE_WEBHOOK_SECRET: 'secret',
  STRIPE_API_BASE: 'stripe',
  STRIPE_MAX_CONCURRENCY: '0',
  STRIPE_PRICE_STARTER: 'prod_abc',
  STRIPE_PRICE_PRO: 'prod_abc',
  STRIPE_PRICE_ENTERPRISE: 'prod_abc',
  STRIPE_PRICE_OVERAGE: 'prod_abc',
  STRIPE_METER_EVENT_NAME: 'api characters!',
};

/** Strings are taken as they come: these cannot be invalid on their own. */
const ANY_STRING = ['DATA_DIR', 'JWT_ISSUER', 'JWT_AUDIENCE'];

/** `NAME: problem (got "x")` → the name and the problem as the matrix should show them. */
const split = (problem: string) => {
  const [, name, text] = /^([A-Z_ ]+(?: or [A-Z_]+)?): (.*?)(?: \(got .*\))?$/.exec(problem)!;
  return {
    name,
    text: text
      .replace(/ \(e\.g\..*\)$/, '')
      .replace(/, e\.g\. .*$/, '')
      .replace(/ \(`npm run.*\)$/, '')
      .replace(/ such as .*$/, ' such as'),
  };
};

const documented = (problem: string) => {
  const { name, text } = split(problem);
  const names = name.startsWith('STRIPE_PRICE_') ? [name, 'STRIPE_PRICE_…'] : [name];
  return matrix
    .split('\n')
    .some((row) => row.startsWith('|') && names.some((n) => row.includes(n)) && row.includes(text));
};

describe('the start-up troubleshooting matrix in docs/billing/stripe-setup.md', () => {
  it('has a bad value here for every variable that can be invalid', () => {
    const validated = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(EnvironmentVariables, '', true, false)
        .map((m) => m.propertyName),
    );
    expect([...validated].filter((name) => !(name in BAD_VALUES) && !ANY_STRING.includes(name)).sort()).toEqual([]);
  });

  it.each(Object.entries(BAD_VALUES))('documents what %s=%s is told', (name, value) => {
    const problems = configurationProblems({ [name]: value }).filter((problem) => problem.startsWith(`${name}: `));
    expect(problems).toHaveLength(1);
    expect(documented(problems[0])).toBe(true);
  });

  it('documents every rule between variables', () => {
    const production = { NODE_ENV: 'production' };
    const problems = [
      ...configurationProblems({ JWT_JWKS_URL: 'https://idp.example.com/jwks' }),
      ...configurationProblems(production),
      ...configurationProblems({ ...production, ENABLE_BILLING: 'true' }),
    ];
    expect(problems.length).toBeGreaterThanOrEqual(10);
    expect(problems.filter((problem) => !documented(problem))).toEqual([]);
  });

  it('documents the database, network and Stripe messages the service prints', () => {
    const sources = [
      'src/database/embedded-database.ts',
      'src/database/database-reachable.ts',
      'src/startup/resolve-stripe.ts',
      'src/billing/stripe/stripe-bootstrap.ts',
      'src/main.ts',
    ]
      .map((file) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'))
      .join('\n');
    const messages = [
      'is not empty but holds no Postgres cluster',
      'is already using',
      'holding the embedded Postgres did not finish',
      'embedded Postgres failed to start',
      'cannot reach Postgres at',
      'the password was refused',
      'the user may not connect',
      'the database does not exist',
      'billing runs against the local Stripe emulator',
      'no Stripe price configured for',
      'JWT_SECRET is not set: using a development secret',
    ];
    for (const message of messages) {
      expect(sources).toContain(message);
      expect(matrix).toContain(message);
    }
    expect(matrix).toContain('EADDRINUSE');
  });
});
