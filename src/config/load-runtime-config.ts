import path from 'node:path';
import type { AppConfig } from './app-config.js';
import { ensureDevJwtSecret } from './dev-jwt-secret.js';
import { loadEnvFiles } from './env-files.js';
import { ConfigurationError, loadConfig } from './load-config.js';

export interface RuntimeConfig {
  config: AppConfig;
  envFiles: string[];
  generatedJwtSecret: boolean;
}

/** Env files, the development JWT secret, then validation; prints every problem and exits on failure. */
export function loadRuntimeConfig(): RuntimeConfig {
  const envFiles = loadEnvFiles();
  const generatedJwtSecret = ensureDevJwtSecret(process.env, path.resolve(process.env.DATA_DIR ?? '.data'));
  try {
    return { config: loadConfig(process.env), envFiles, generatedJwtSecret };
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
}
