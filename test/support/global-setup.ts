import { execSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { TestProject } from 'vitest/node';
import { dataSourceOptions } from '../../src/database/data-source.options.js';
import { type DatabaseServer, startEmbeddedDatabase } from '../../src/database/embedded-database.js';
import { runMigrations } from '../../src/database/run-migrations.js';

export const TEMPLATE_DATABASE = 'billing_test_template';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    templateDatabase: string;
  }
}

const withDatabase = (url: string, name: string) => Object.assign(new URL(url), { pathname: `/${name}` }).toString();

/** One real Postgres per run (embedded, or TEST_DATABASE_URL); each test file clones a migrated template. */
export default async function setup(project: TestProject) {
  // The process-level tests run the built service and CLI exactly as `npm start` does.
  // TEST_SKIP_BUILD=1 reuses dist/ (e.g. two suites running at once must not rebuild it under each other).
  if (process.env.TEST_SKIP_BUILD !== '1') execSync('npm run --silent build', { stdio: 'inherit' });
  let server: DatabaseServer | undefined;
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'billing-test-pg-'));
    server = await startEmbeddedDatabase({ dataDir, databaseName: 'postgres', ephemeral: true });
    adminUrl = server.url;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE}`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  await admin.end();

  const template = new DataSource(dataSourceOptions(withDatabase(adminUrl, TEMPLATE_DATABASE)));
  await template.initialize();
  await runMigrations(template);
  await template.destroy();

  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('templateDatabase', TEMPLATE_DATABASE);
  return async () => {
    await server?.stop();
  };
}
