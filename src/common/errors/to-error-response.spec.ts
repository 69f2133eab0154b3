import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { AppError } from './app-error.js';
import { CommonError } from './common.errors.js';
import { errorBody, toAppError } from './to-error-response.js';

const fastifyError = (code: string, statusCode: number) =>
  Object.assign(new Error('fastify says no'), { code, statusCode });

describe('toAppError', () => {
  it('passes coded errors through', () => {
    const error = new CommonError('not_found', 'No such thing.');
    expect(toAppError(error)).toBe(error);
  });

  it('maps Nest HTTP exceptions by status', () => {
    expect(toAppError(new NotFoundException('Cannot GET /x'))).toMatchObject({
      code: 'not_found',
      status: 404,
      message: 'Cannot GET /x',
    });
    expect(toAppError(new BadRequestException())).toMatchObject({ code: 'bad_request', status: 400 });
  });

  it('maps Fastify body errors wrapped by Nest', () => {
    const wrap = (error: Error) => new HttpException('x', 400, { cause: error });
    expect(toAppError(wrap(fastifyError('FST_ERR_CTP_INVALID_JSON_BODY', 400))).code).toBe('malformed_json');
    expect(toAppError(wrap(fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413))).code).toBe('payload_too_large');
    expect(toAppError(wrap(fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415))).code).toBe('unsupported_media_type');
  });

  it('hides the details of unknown errors behind a bare 500', () => {
    const mapped = toAppError(new Error('connection string postgres://u:p@h/db'));
    expect(mapped).toMatchObject({ code: 'internal_error', status: 500, message: 'Internal server error.' });
  });

  it('answers 503 database_unavailable, with when to retry, when the database cannot be reached', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(toAppError(refused)).toMatchObject({
      code: 'database_unavailable',
      status: 503,
      fields: { retry_after_seconds: 1 },
    });
    expect(toAppError(new Error('timeout exceeded when trying to connect')).code).toBe('database_unavailable');
  });

  it('builds the one error shape with extra fields', () => {
    const body = errorBody(new AppError('quota_exceeded', 402, 'Out of credits.', { limit: 10 }), 'req-1');
    expect(body).toEqual({
      error: { code: 'quota_exceeded', message: 'Out of credits.', request_id: 'req-1', limit: 10 },
    });
  });
});
