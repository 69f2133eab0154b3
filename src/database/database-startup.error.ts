/** A database problem at start-up whose message already says what to do: shown without a stack. */
export class DatabaseStartupError extends Error {
  override name = 'DatabaseStartupError';
}
