import pg from 'pg';
import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from './database-unavailable.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
const fromPostgres = (message: string, code: string) =>
  Object.assign(new pg.DatabaseError(message, 0, 'error'), { code, severity: 'FATAL' });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a refused connection to every address of a host', new AggregateError([withCode('x', 'ECONNREFUSED')], '')],
    ['a full pool that gave up waiting', new Error('timeout exceeded when trying to connect')],
    ['a connection that timed out', new Error('Connection terminated due to connection timeout')],
    ['a connection dropped mid-query', new Error('Connection terminated unexpectedly')],
    ['a server shutting down (57P01)', fromPostgres('terminating connection due to administrator command', '57P01')],
    ['a server starting up (57P03)', fromPostgres('the database system is starting up', '57P03')],
    ['a connection exception (08006)', fromPostgres('connection failure', '08006')],
    ['too many connections (53300)', fromPostgres('sorry, too many clients already', '53300')],
    [
      'one wrapped by TypeORM',
      new QueryFailedError(
        'SELECT 1',
        [],
        fromPostgres('terminating connection due to administrator command', '57P01'),
      ),
    ],
    ['one given as a cause', new Error('consume failed', { cause: withCode('read ECONNRESET', 'ECONNRESET') })],
  ])('says yes to %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', fromPostgres('duplicate key value violates unique constraint', '23505')],
    ['a syntax error', new QueryFailedError('SELEC 1', [], fromPostgres('syntax error', '42601'))],
    ['a refused password (it will not heal by itself)', fromPostgres('password authentication failed', '28P01')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['not an error', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('says no to %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
