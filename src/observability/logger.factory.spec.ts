import { CLS_ID, ClsServiceManager } from 'nestjs-cls';
import pg from 'pg';
import pino, { type DestinationStream } from 'pino';
import { loadConfig } from '../config/load-config.js';
import { createRootLogger, scrubbingDestination, setLogTenantReader } from './logger.factory.js';
import { stdoutFormat } from './log-format.js';
import { CLIENT_REQUEST_ID, type TenantReader } from './request-log-context.js';
import { createSecretScrubber } from './secret-scrubber.js';

/** Where this spec's "identity" keeps the auth context; the real key is the composition root's business. */
const AUTH = 'auth-under-test';
const readTenant: TenantReader = (cls) =>
  cls.get<{ scope?: { tenantId: string; env: string; role: string } } | undefined>(AUTH)?.scope;
const config = loadConfig({
  NODE_ENV: 'test',
  JWT_SECRET: 'logger-spec-secret-that-is-long-enough-0000',
  LOG_LEVEL: 'info',
});
const cls = ClsServiceManager.getClsService();

function rootLogger() {
  const lines: string[] = [];
  const logger = createRootLogger(config, { write: (line: string) => void lines.push(line) });
  return { logger, lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

/** What AuthGuard does for a request: a CLS context holding the request id, then the auth context. */
function duringRequest(reqId: string, scope: { tenantId: string; env: string } | undefined, body: () => void) {
  cls.run(() => {
    cls.set(CLS_ID, reqId);
    if (scope) cls.set(AUTH, { actor: { type: 'api_key', id: 'k' }, scope: { ...scope, role: 'owner' } });
    body();
  });
}

describe('root logger: request context on each line', () => {
  it('adds the request id and tenant to lines logged while a request is served, also through child loggers', () => {
    const { logger, lines } = rootLogger();
    setLogTenantReader(logger, readTenant);
    duringRequest('req-1', { tenantId: 'tenant-1', env: 'live' }, () => {
      logger.info('inside');
      logger.child({ context: 'Child' }).warn('inside, from a child');
    });
    expect(lines()).toEqual([
      expect.objectContaining({ msg: 'inside', reqId: 'req-1', tenantId: 'tenant-1', env: 'live' }),
      expect.objectContaining({
        msg: 'inside, from a child',
        context: 'Child',
        reqId: 'req-1',
        tenantId: 'tenant-1',
        env: 'live',
      }),
    ]);
    expect(lines()[0]).not.toHaveProperty('role');
  });

  it('adds neither outside a request, nor in a CLS context without a request id (a job, a CLI run)', () => {
    const { logger, lines } = rootLogger();
    setLogTenantReader(logger, readTenant);
    logger.info('outside');
    cls.run(() => {
      cls.set(AUTH, {
        actor: { type: 'api_key', id: 'k' },
        scope: { tenantId: 'tenant-1', env: 'test', role: 'owner' },
      });
      logger.info('in a job');
    });
    for (const line of lines()) {
      expect(line).not.toHaveProperty('reqId');
      expect(line).not.toHaveProperty('tenantId');
      expect(line).not.toHaveProperty('env');
    }
    expect(lines()).toHaveLength(2);
  });

  it('has only the request id before authentication, and before the root has said where the tenant is', () => {
    const { logger, lines } = rootLogger();
    duringRequest('req-2', { tenantId: 'tenant-2', env: 'test' }, () => logger.info('no reader yet'));
    setLogTenantReader(logger, readTenant);
    duringRequest('req-3', undefined, () => logger.info('not authenticated'));
    expect(lines()).toEqual([
      expect.not.objectContaining({ tenantId: expect.anything() }),
      expect.not.objectContaining({ tenantId: expect.anything() }),
    ]);
    expect(lines().map((line) => line.reqId)).toEqual(['req-2', 'req-3']);
  });

  it('adds the caller’s own request id beside the server’s when the request has one', () => {
    const { logger, lines } = rootLogger();
    cls.run(() => {
      cls.set(CLS_ID, 'server-id');
      cls.set(CLIENT_REQUEST_ID, 'caller-id');
      logger.info('with both');
    });
    duringRequest('server-id-2', undefined, () => logger.info('server id only'));
    expect(lines()[0]).toMatchObject({ reqId: 'server-id', clientRequestId: 'caller-id' });
    expect(lines()[1]).not.toHaveProperty('clientRequestId');
  });

  it("keeps a line's own fields over the request's", () => {
    const { logger, lines } = rootLogger();
    setLogTenantReader(logger, readTenant);
    duringRequest('req-4', { tenantId: 'tenant-4', env: 'test' }, () =>
      logger.info({ tenantId: 'other-tenant', reqId: 'req-4' }, 'explicit'),
    );
    expect(lines()[0]).toMatchObject({ reqId: 'req-4', tenantId: 'other-tenant', env: 'test' });
    // One key each: pino merges the mixin's fields into the line, it does not append them.
    expect(JSON.stringify(lines()[0]).match(/"reqId"/g)).toHaveLength(1);
  });

  it('leaves a logger it did not make alone', () => {
    expect(() => setLogTenantReader(pino({ enabled: false }), readTenant)).not.toThrow();
  });
});

describe('root logger: errors', () => {
  it("logs an error Postgres sent without the driver's stack, other errors with theirs", () => {
    const { logger, lines } = rootLogger();
    const fromPostgres = Object.assign(
      new pg.DatabaseError('terminating connection due to administrator command', 116, 'error'),
      { code: '57P01', severity: 'FATAL' },
    );
    logger.warn({ err: fromPostgres }, 'notification connection lost');
    logger.error({ err: new Error('ours') }, 'failed');
    const [database, ours] = lines() as Array<{ err: Record<string, unknown> }>;
    expect(database.err).toMatchObject({
      type: 'DatabaseError',
      message: 'terminating connection due to administrator command',
      code: '57P01',
      severity: 'FATAL',
    });
    expect(database.err).not.toHaveProperty('stack');
    expect(ours.err.stack).toContain('logger.factory.spec.ts');
  });

  it('logs a database that cannot be reached without a stack: a job retrying in an outage prints one line a round', () => {
    const { logger, lines } = rootLogger();
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    logger.error({ err: refused }, 'could not claim Stripe events');
    logger.error({ err: new Error('timeout exceeded when trying to connect') }, 'overage round failed');
    const [first, second] = lines() as Array<{ err: Record<string, unknown> }>;
    expect(first.err).toMatchObject({ message: 'connect ECONNREFUSED 127.0.0.1:5432', code: 'ECONNREFUSED' });
    expect(first.err).not.toHaveProperty('stack');
    expect(second.err).not.toHaveProperty('stack');
  });
});

describe('root logger: terminal output', () => {
  it('scrubs each line also when pino-pretty makes it readable', () => {
    const { format } = stdoutFormat({ isTTY: true }, 'development');
    const written: string[] = [];
    const sink: DestinationStream = { write: (line: string) => void written.push(line) };
    const logger = pino(
      { base: null },
      scrubbingDestination(sink, createSecretScrubber(['quote"secret-value']), format),
    );
    logger.warn({ detail: 'x quote"secret-value y', key: 'bk_live_abcdefghijklmnopqrstuvwxyz' }, 'careless');
    const output = written.join('');
    expect(output).toContain('WARN');
    expect(output).not.toMatch(/^\{/); // readable, not JSON
    expect(output).not.toContain('secret-value');
    expect(output).not.toContain('abcdefghijklmnopqrstuvwxyz');
    expect(output).toContain('[redacted]');
  });
});
