import { Command } from 'commander';
import path from 'node:path';
import { DEFAULT_EMULATOR_KEY, startStripeEmulator } from './emulator.js';

const program = new Command('stripe:emulator')
  .description('run the local Stripe emulator (a development and test tool, not Stripe)')
  .option('--port <port>', 'port to listen on', process.env.STRIPE_EMULATOR_PORT ?? '12111')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--key <key>', 'the secret key it accepts', DEFAULT_EMULATOR_KEY)
  .option(
    '--state <file>',
    'where state is kept across restarts',
    path.join(process.env.DATA_DIR ?? '.data', 'stripe-emulator.json'),
  )
  .option('--forward-to <url>', 'deliver every event, signed, to this webhook URL (like `stripe listen --forward-to`)')
  .parse();

const options = program.opts<{ port: string; host: string; key: string; state: string; forwardTo?: string }>();
const emulator = await startStripeEmulator({
  port: Number(options.port),
  host: options.host,
  secretKey: options.key,
  stateFile: path.resolve(options.state),
});
const lines = [
  `Stripe emulator listening on ${emulator.url} (state in ${path.resolve(options.state)})`,
  '',
  'Point the service at it:',
  `  STRIPE_SECRET_KEY=${emulator.secretKey}`,
  `  STRIPE_API_BASE=${emulator.url}`,
];
if (options.forwardTo) {
  const secret = emulator.addWebhookEndpoint(options.forwardTo);
  lines.push(`  STRIPE_WEBHOOK_SECRET=${secret}    # deliveries go to ${options.forwardTo}`);
}
lines.push(
  '',
  `Control: POST ${emulator.url}/_emulator/subscriptions/<id>/advance, GET ${emulator.url}/_emulator/deliveries, POST ${emulator.url}/_emulator/reset`,
);
process.stdout.write(`${lines.join('\n')}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void emulator.stop().then(() => process.exit(0)));
}
