/**
 * The rows of a query's result, whoever ran it: TypeORM answers an UPDATE … RETURNING with
 * `[rows, count]` and a SELECT with the rows, pg with `{rows}`.
 */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return (Array.isArray(result[0]) ? result[0] : result) as T[];
  return (result as { rows: T[] }).rows;
}
