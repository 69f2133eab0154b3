import type { QueryRunner } from 'typeorm';

/**
 * How deep in savepoints a query runner is: 1 is the outermost transaction. TypeORM counts it in a
 * protected field; the billing stream needs it to drop what a rolled-back savepoint published.
 */
export function transactionDepth(runner: QueryRunner): number {
  const depth = (runner as unknown as { transactionDepth?: unknown }).transactionDepth;
  if (typeof depth !== 'number') {
    throw new Error(
      "TypeORM's QueryRunner no longer counts savepoints in transactionDepth: update src/internals/typeorm-transaction-depth.ts",
    );
  }
  return depth;
}
