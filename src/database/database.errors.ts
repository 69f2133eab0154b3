import { defineErrors } from '../common/errors/app-error.js';

/** Seconds a client is told to wait (`Retry-After`): a restarted Postgres is usually back within a few. */
export const DATABASE_RETRY_AFTER_SECONDS = 1;

export const DatabaseError = defineErrors('DatabaseError', {
  database_unavailable: {
    status: 503,
    message:
      'The database cannot be reached right now. Retry after Retry-After seconds; a change being saved as the connection dropped may have been saved, so retry with the same Idempotency-Key where the route takes one.',
  },
});
