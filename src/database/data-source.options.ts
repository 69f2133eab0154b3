import type { DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/index.js';

/** Schema changes only through migrations: `synchronize` stays off everywhere. */
export const dataSourceOptions = (url: string, poolSize = 30): DataSourceOptions => ({
  type: 'postgres',
  url,
  migrations,
  migrationsTableName: 'schema_migrations',
  synchronize: false,
  extra: { max: poolSize, connectionTimeoutMillis: 5_000 },
});
