import type { Command } from 'commander';
import { DataSource } from 'typeorm';
import { resolveDatabaseServer } from '../../database/database-server.js';
import { dataSourceOptions } from '../../database/data-source.options.js';
import { runMigrations } from '../../database/run-migrations.js';
import { loadRuntimeConfig } from '../../config/load-runtime-config.js';
import { printResult } from '../cli-context.js';

export function registerMigrationRun(program: Command): void {
  program
    .command('migration:run')
    .description('apply pending database migrations (start-up does this too)')
    .action(async () => {
      const { config } = loadRuntimeConfig();
      const database = await resolveDatabaseServer(config, (message) => process.stderr.write(`${message}\n`), 'cli');
      const dataSource = new DataSource(dataSourceOptions(database.url));
      try {
        await dataSource.initialize();
        printResult({ applied: await runMigrations(dataSource) });
      } finally {
        if (dataSource.isInitialized) await dataSource.destroy();
        await database.stop();
      }
    });
}
