import type { DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/index.js';

/** Schema changes only through migrations: `synchronize` stays off everywhere. */
export const dataSourceOptions = (url: string): DataSourceOptions => ({
  type: 'postgres',
  url,
  migrations,
  migrationsTableName: 'schema_migrations',
  synchronize: false,
  extra: { max: 20, connectionTimeoutMillis: 5_000 },
});
