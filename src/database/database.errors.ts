import { defineErrors } from '../common/errors/app-error.js';

/** Seconds a client is told to wait (`Retry-After`): a restarted Postgres is usually back within a few. */
export const DATABASE_RETRY_AFTER_SECONDS = 1;

export const DatabaseError = defineErrors('DatabaseError', {
  database_unavailable: {
    status: 503,
    message: 'The database cannot be reached right now; nothing was changed. Retry after Retry-After seconds.',
  },
});
