import type { INestApplicationContext, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClsService } from 'nestjs-cls';
import type { AppConfig } from '../config/app-config.js';
import { resolveDatabaseServer } from '../database/database-server.js';
import { loadRuntimeConfig } from '../config/load-runtime-config.js';
import { CliModule } from './cli.module.js';

const log = (message: string) => process.stderr.write(`${message}\n`);

/** Output for people goes to stderr; stdout's last line is the command's JSON result. */
export function printResult(result: unknown): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

export async function withCliContext<T>(
  run: (get: <S>(type: Type<S>) => S, config: AppConfig) => Promise<T>,
): Promise<T> {
  const { config } = loadRuntimeConfig();
  const database = await resolveDatabaseServer(config, log, 'cli');
  let app: INestApplicationContext | undefined;
  try {
    app = await NestFactory.createApplicationContext(CliModule.forRoot(config, database.url), {
      logger: ['error', 'warn'],
    });
    const get = <S>(type: Type<S>) => app!.get(type, { strict: false });
    return await app.get(ClsService).run(() => run(get, config));
  } finally {
    await app?.close();
    await database.stop();
  }
}
