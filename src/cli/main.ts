import { Command } from 'commander';
import { registerMigrationRun } from './commands/migration-run.command.js';
import { registerOperatorCreate } from './commands/operator-create.command.js';
import { registerOverageRelease } from './commands/overage-release.command.js';
import { registerStripeSetup } from './commands/stripe-setup.command.js';
import { registerTenantCreate } from './commands/tenant-create.command.js';
import { registerTokenMint } from './commands/token-mint.command.js';
import { registerWebhooksReplay } from './commands/webhooks-replay.command.js';

const program = new Command('cli').description('operator commands for the billing service').showHelpAfterError();
registerTenantCreate(program);
registerOperatorCreate(program);
registerTokenMint(program);
registerMigrationRun(program);
registerStripeSetup(program);
registerWebhooksReplay(program);
registerOverageRelease(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
