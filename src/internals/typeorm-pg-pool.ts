import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * The pg pool behind TypeORM, for the few statements on the request path where a query runner per
 * call costs more than the statement itself. Same connections, same transactions semantics: none.
 */
export function pgPool(dataSource: DataSource): Pool {
  const pool = (dataSource.driver as unknown as { master?: Pool }).master;
  // TypeORM's PostgresDriver keeps its pool in a public-but-undocumented field, set once initialised.
  if (!pool || typeof pool.query !== 'function' || typeof pool.connect !== 'function') {
    throw new Error(
      "TypeORM's Postgres driver no longer keeps its pg Pool in driver.master: update src/internals/typeorm-pg-pool.ts",
    );
  }
  return pool;
}
