import type { HttpResult } from './test-app.js';

/** A 429 rate_limited whose Retry-After header and body agree on a wait within the minute. */
export function expectRateLimited(response: HttpResult): void {
  expect([response.status, response.body.error.code]).toEqual([429, 'rate_limited']);
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(response.body.error.retry_after_seconds).toBe(retryAfter);
  expect(response.body.error.request_id).toBe(response.headers.get('x-request-id'));
}
