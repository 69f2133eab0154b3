import type { Command } from 'commander';
import { SignJWT } from 'jose';
import { UsersService } from '../../identity/users.service.js';
import { printResult, withCliContext } from '../cli-context.js';

const TOKEN_LIFETIME = '12h';

export function registerTokenMint(program: Command): void {
  program
    .command('token:mint')
    .description('mint a development JWT for a user (refused in production)')
    .requiredOption('--email <email>', 'the user’s email')
    .action(async (options: { email: string }) => {
      const result = await withCliContext(async (get, config) => {
        if (config.isProduction) throw new Error('token:mint is refused when NODE_ENV=production');
        if (!config.jwt.secret)
          throw new Error('token:mint needs JWT_SECRET (tokens from JWT_JWKS_URL come from your identity provider)');
        const user = await get(UsersService).findOrInvite(options.email);
        const subject = user.subject ?? `dev:${user.email}`;
        let jwt = new SignJWT({ email: user.email, email_verified: true })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(subject)
          .setIssuedAt()
          .setExpirationTime(TOKEN_LIFETIME);
        if (config.jwt.issuer) jwt = jwt.setIssuer(config.jwt.issuer);
        if (config.jwt.audience) jwt = jwt.setAudience(config.jwt.audience);
        return { token: await jwt.sign(new TextEncoder().encode(config.jwt.secret)), email: user.email, subject };
      });
      printResult(result);
    });
}
