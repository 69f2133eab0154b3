import { HttpException } from '@nestjs/common';
import { DATABASE_RETRY_AFTER_SECONDS, DatabaseError } from '../../database/database.errors.js';
import { isDatabaseUnavailable } from '../../database/database-unavailable.js';
import { AppError } from './app-error.js';
import { CommonError } from './common.errors.js';

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'service_unavailable',
};

/** Fastify's own errors (body parsing, limits) carry a status and an `FST_` code. */
function fromFastify(error: { code: string; statusCode?: number; message: string }): AppError {
  // Fastify's router refuses these before any route runs; its message repeats the whole path.
  if (error.code === 'FST_ERR_BAD_URL') return new CommonError('bad_url');
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return new CommonError('uri_too_long');
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new CommonError('payload_too_large');
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new CommonError('unsupported_media_type');
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return new CommonError(
      'malformed_json',
      'The body is empty but content-type is application/json: send {} or no content-type.',
    );
  if (error.code.startsWith('FST_ERR_CTP') || error.statusCode === 400) return new CommonError('malformed_json');
  const status = error.statusCode ?? 500;
  return new AppError(
    CODE_BY_STATUS[status] ?? 'internal_error',
    status,
    status < 500 ? error.message : 'Internal server error.',
  );
}

function fromHttpException(exception: HttpException): AppError {
  const status = exception.getStatus();
  const response = exception.getResponse();
  const message = typeof response === 'string' ? response : exception.message;
  return new AppError(CODE_BY_STATUS[status] ?? (status >= 500 ? 'internal_error' : 'bad_request'), status, message);
}

const isFastifyError = (value: unknown): value is { code: string; statusCode?: number; message: string } =>
  value instanceof Error && String((value as { code?: unknown }).code).startsWith('FST_');

/** Maps anything thrown to a coded AppError; an unreachable database a 503; unknown errors a bare 500. */
export function toAppError(exception: unknown): AppError {
  if (exception instanceof AppError) return exception;
  // Nest's Fastify adapter wraps Fastify's own errors (body parsing, limits) as their cause.
  if (exception instanceof HttpException) {
    return isFastifyError(exception.cause) ? fromFastify(exception.cause) : fromHttpException(exception);
  }
  if (isFastifyError(exception)) return fromFastify(exception);
  // Refused, dropped or timed out before any statement ran: nothing happened, and a retry will do.
  if (isDatabaseUnavailable(exception))
    return new DatabaseError('database_unavailable', undefined, { retry_after_seconds: DATABASE_RETRY_AFTER_SECONDS });
  return new CommonError('internal_error');
}

export function errorBody(error: AppError, requestId: string) {
  return { error: { code: error.code, message: error.message, request_id: requestId, ...error.fields } };
}
