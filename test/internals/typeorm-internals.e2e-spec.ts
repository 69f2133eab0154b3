import { DataSource, type QueryRunner } from 'typeorm';
import { transactionDepth } from '../../src/internals/typeorm-transaction-depth.js';
import { pgPool } from '../../src/internals/typeorm-pg-pool.js';
import { createTestDatabase } from '../support/test-database.js';

/** What the service reads from TypeORM's internals, checked against the TypeORM installed: an upgrade that moves them fails here. */
describe('TypeORM internals', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;
  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource({ type: 'postgres', url: database.url }).initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('reaches the pg Pool behind the data source, on the same database', async () => {
    const { rows } = await pgPool(dataSource).query<{ name: string }>('SELECT current_database() AS name');
    expect(rows[0].name).toBe(new URL(database.url).pathname.slice(1));
  });

  it('refuses a driver that keeps no pool where TypeORM did', () => {
    expect(() => pgPool({ driver: {} } as DataSource)).toThrow(/driver\.master/);
  });

  it('counts a transaction as depth 1 and each savepoint below it as one more', async () => {
    const depths: number[] = [];
    await dataSource.transaction(async (outer) => {
      depths.push(transactionDepth(outer.queryRunner!));
      await outer.transaction(async (inner) => {
        depths.push(transactionDepth(inner.queryRunner!));
      });
    });
    expect(depths).toEqual([1, 2]);
  });

  it('refuses a query runner that no longer counts savepoints', () => {
    expect(() => transactionDepth({} as QueryRunner)).toThrow(/transactionDepth/);
  });
});
