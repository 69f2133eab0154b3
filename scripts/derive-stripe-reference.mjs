// Derives, from Stripe's own reference data in ../shared/stripe, the part the local emulator
// needs: the parameter catalogue of the operations it serves and the example object of each
// resource it returns. Run it when the reference data changes; its output is committed so the
// project stands on its own.  Usage: node scripts/derive-stripe-reference.mjs [path/to/shared/stripe]
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const source = process.argv[2] ?? path.resolve(import.meta.dirname, '../../shared/stripe');
const target = path.resolve(import.meta.dirname, '../src/stripe-emulator/reference');

/**
 * operations.json leaves out arrays of objects and free-form hashes; these are the ones each
 * served operation accepts, whose contents the emulator checks itself.
 */
const OPEN_CONTAINERS = {
  V1CustomersCreate: ['metadata'],
  V1CustomersUpdate: ['metadata'],
  V1CustomersRetrieve: [],
  V1CustomersList: [],
  V1ProductsCreate: ['metadata', 'marketing_features'],
  V1ProductsList: [],
  V1ProductsRetrieve: [],
  V1PricesCreate: ['metadata', 'product_data.metadata'],
  V1PricesList: [],
  V1PricesRetrieve: [],
  V1CheckoutSessionsCreate: ['metadata', 'line_items', 'subscription_data.metadata'],
  V1CheckoutSessionsRetrieve: [],
  V1CheckoutSessionsExpire: [],
  V1CheckoutSessionsList: [],
  V1BillingPortalSessionsCreate: [],
  V1SubscriptionsRetrieve: [],
  V1SubscriptionsList: [],
  V1SubscriptionsUpdate: ['metadata', 'items', 'items.metadata'],
  V1SubscriptionsCancel: [],
  V1SubscriptionsResume: [],
  V1InvoicesList: [],
  V1InvoicesRetrieve: [],
  V1InvoicesCreatePreview: ['subscription_details.items'],
  V1BillingMetersCreate: [],
  V1BillingMetersList: [],
  V1BillingMetersRetrieve: [],
  V1BillingMeterEventsCreate: ['payload'],
  V1EventsList: [],
  V1EventsRetrieve: [],
  V1WebhookEndpointsCreate: ['metadata', 'enabled_events'],
  V1WebhookEndpointsList: [],
};

/** Parameters Stripe accepts that the catalogue leaves out (it lists no DELETE parameters). */
const EXTRA_PARAMS = {
  V1SubscriptionsCancel: {
    invoice_now: { type: 'boolean' },
    prorate: { type: 'boolean' },
    'cancellation_details.comment': { type: 'string' },
    'cancellation_details.feedback': { type: 'string' },
  },
};

const RESOURCES = [
  'customer',
  'product',
  'price',
  'checkout.session',
  'billing_portal.session',
  'subscription',
  'subscription_item',
  'invoice',
  'line_item',
  'event',
  'billing.meter',
  'billing.meter_event',
  'webhook_endpoint',
];

const operations = JSON.parse(readFileSync(path.join(source, 'operations.json'), 'utf8'));
const catalogue = {};
for (const [name, containers] of Object.entries(OPEN_CONTAINERS)) {
  const operation = operations[name];
  if (!operation) throw new Error(`operations.json has no ${name}`);
  catalogue[name] = {
    method: operation.method,
    path: operation.path,
    params: {
      ...Object.fromEntries(
        Object.entries(operation.params).map(([param, spec]) => [
          param,
          { type: spec.type, ...(spec.enum ? { enum: spec.enum } : {}) },
        ]),
      ),
      ...(EXTRA_PARAMS[name] ?? {}),
    },
    containers: ['expand', ...containers],
  };
}

const fixtures = JSON.parse(readFileSync(path.join(source, 'fixtures3.json'), 'utf8')).resources;
const shapes = Object.fromEntries(RESOURCES.map((name) => [name, fixtures[name]]));

writeFileSync(path.join(target, 'operations.json'), `${JSON.stringify(catalogue, null, 1)}\n`);
writeFileSync(path.join(target, 'fixtures.json'), `${JSON.stringify(shapes, null, 1)}\n`);
process.stdout.write(
  `wrote ${Object.keys(catalogue).length} operations and ${RESOURCES.length} resource shapes to ${target}\n`,
);
