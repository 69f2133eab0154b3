import type { Command } from 'commander';
import { UsersService } from '../../identity/users.service.js';
import { printResult, withCliContext } from '../cli-context.js';

export function registerOperatorCreate(program: Command): void {
  program
    .command('operator:create')
    .description('make a user (by email) a platform operator')
    .requiredOption('--email <email>', 'the operator’s email')
    .action(async (options: { email: string }) => {
      const user = await withCliContext((get) => get(UsersService).makeOperator(options.email));
      printResult({ user_id: user.id, email: user.email, is_operator: true });
    });
}
