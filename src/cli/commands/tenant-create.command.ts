import type { Command } from 'commander';
import { TenantsService } from '../../identity/tenants.service.js';
import { printResult, withCliContext } from '../cli-context.js';

export function registerTenantCreate(program: Command): void {
  program
    .command('tenant:create')
    .description('create a tenant, its owner (by email) and an owner API key')
    .requiredOption('--name <name>', 'tenant name')
    .requiredOption('--owner-email <email>', 'email of the owner; they become owner when they first sign in')
    .option('--env <env>', 'environment of the API key: test or live', 'test')
    .action(async (options: { name: string; ownerEmail: string; env: string }) => {
      if (options.env !== 'test' && options.env !== 'live') throw new Error('--env must be test or live');
      if (!/^[^@\s]+@[^@\s]+$/.test(options.ownerEmail)) throw new Error('--owner-email must be an email address');
      const env = options.env;
      const result = await withCliContext((get) =>
        get(TenantsService).provision(options.name, options.ownerEmail, env),
      );
      printResult({ tenant_id: result.tenant_id, api_key: result.api_key });
    });
}
