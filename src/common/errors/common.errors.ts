import { defineErrors } from './app-error.js';

export const CommonError = defineErrors('CommonError', {
  validation_failed: { status: 400, message: 'The request is invalid; see details.' },
  malformed_json: { status: 400, message: 'The request body is not valid JSON.' },
  bad_request: { status: 400, message: 'The request is invalid.' },
  unauthenticated: { status: 401, message: 'Send Authorization: Bearer <API key or JWT>.' },
  forbidden: { status: 403, message: 'You may not do that.' },
  not_found: { status: 404, message: 'Not found.' },
  method_not_allowed: { status: 405, message: 'Method not allowed.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  uri_too_long: { status: 414, message: 'A path segment is longer than 100 characters.' },
  bad_url: { status: 400, message: 'The URL is not valid: a percent-encoded character is broken.' },
  unsupported_media_type: { status: 415, message: 'Unsupported content type; send application/json.' },
  rate_limited: { status: 429, message: 'Too many requests.' },
  internal_error: { status: 500, message: 'Internal server error.' },
  service_unavailable: { status: 503, message: 'The service is temporarily unavailable.' },
});

/** One field of a `validation_failed` answer, with everything wrong with it. */
export interface FieldProblem {
  field: string;
  problems: string[];
}

/** 400 `validation_failed` listing the fields at fault: the one shape every validation answer takes. */
export const validationFailed = (details: FieldProblem[]) =>
  new CommonError('validation_failed', undefined, { details });

/**
 * 429 `rate_limited`, with `retry_after_seconds` (at least 1) in the body; the exception filter
 * sends the same number as `Retry-After`.
 */
export const rateLimited = (message: string, retryAfterMs: number, fields: Record<string, unknown> = {}) =>
  new CommonError('rate_limited', message, {
    ...fields,
    retry_after_seconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
  });
