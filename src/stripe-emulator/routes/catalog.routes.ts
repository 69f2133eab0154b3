import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { listOf, operation, type Params, requireParam } from '../http.js';
import { newId } from '../ids.js';
import { withShape } from '../shapes.js';
import type { StripeObject } from '../store.js';
import { invalidRequest } from '../stripe-error.js';

const metadataOf = (params: Params) => (params.metadata ?? {}) as Record<string, string>;

function createPrice(ctx: EmulatorContext, params: Params): StripeObject {
  const currency = requireParam(params, 'currency');
  if (params.recurring?.usage_type === 'metered' && !params.recurring.meter)
    throw invalidRequest('Metered prices must reference a meter.', 'recurring[meter]');
  const productId =
    params.product ??
    createProduct(ctx, { name: requireParam(params.product_data ?? {}, 'name', 'product_data[name]') }).id;
  ctx.store.get('products', productId, 'product', 'product');
  const lookupKey = params.lookup_key ?? null;
  const holder = lookupKey && Object.values(ctx.store.collection('prices')).find((p) => p.lookup_key === lookupKey);
  if (holder) {
    if (params.transfer_lookup_key !== 'true')
      throw invalidRequest(`A price (\`${holder.id}\`) already uses that lookup key.`, 'lookup_key');
    holder.lookup_key = null;
  }
  const recurring = params.recurring
    ? {
        interval: params.recurring.interval,
        interval_count: Number(params.recurring.interval_count ?? 1),
        meter: params.recurring.meter ?? null,
        usage_type: params.recurring.usage_type ?? 'licensed',
        trial_period_days: null,
      }
    : null;
  const unitAmount = params.unit_amount !== undefined ? Number(params.unit_amount) : null;
  const price = withShape('price', {
    id: newId('price'),
    object: 'price',
    active: true,
    billing_scheme: 'per_unit',
    created: ctx.clock.now(),
    currency,
    livemode: false,
    lookup_key: lookupKey,
    metadata: metadataOf(params),
    nickname: params.nickname ?? null,
    product: productId,
    recurring,
    tax_behavior: 'unspecified',
    transform_quantity: params.transform_quantity
      ? { divide_by: Number(params.transform_quantity.divide_by), round: params.transform_quantity.round }
      : null,
    type: recurring ? 'recurring' : 'one_time',
    unit_amount: unitAmount,
    unit_amount_decimal: params.unit_amount_decimal ?? (unitAmount === null ? null : String(unitAmount)),
  });
  ctx.store.put('prices', price);
  ctx.events.emit('price.created', price);
  return price;
}

function createProduct(ctx: EmulatorContext, params: Params): StripeObject {
  const now = ctx.clock.now();
  const product = withShape('product', {
    id: params.id ?? newId('prod'),
    object: 'product',
    active: params.active !== 'false',
    created: now,
    updated: now,
    description: params.description ?? null,
    images: [],
    livemode: false,
    marketing_features: [],
    metadata: metadataOf(params),
    name: requireParam(params, 'name'),
    type: 'service',
    default_price: null,
  });
  ctx.store.put('products', product);
  ctx.events.emit('product.created', product);
  return product;
}

export function registerCatalogRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  operation(app, ctx, 'V1CustomersCreate', (params) => {
    const customer = withShape('customer', {
      id: newId('cus', 14),
      object: 'customer',
      balance: 0,
      created: ctx.clock.now(),
      currency: null,
      delinquent: false,
      description: params.description ?? null,
      email: params.email ?? null,
      invoice_prefix: newId('EMU', 6).slice(4).toUpperCase(),
      invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
      livemode: false,
      metadata: metadataOf(params),
      name: params.name ?? null,
      preferred_locales: [],
      tax_exempt: 'none',
    });
    ctx.store.put('customers', customer);
    ctx.events.emit('customer.created', customer);
    return customer;
  });
  operation(app, ctx, 'V1CustomersRetrieve', (_, { id }) => ctx.store.get('customers', id, 'customer'));
  operation(app, ctx, 'V1CustomersUpdate', (params, { id }) => {
    const customer = ctx.store.get('customers', id, 'customer');
    for (const field of ['email', 'name', 'description'])
      if (params[field] !== undefined) customer[field] = params[field];
    if (params.metadata) customer.metadata = { ...customer.metadata, ...params.metadata };
    ctx.store.changed();
    ctx.events.emit('customer.updated', customer);
    return customer;
  });
  operation(app, ctx, 'V1CustomersList', (params) => {
    const customers = Object.values(ctx.store.collection('customers')).filter(
      (c) => !params.email || c.email === params.email,
    );
    return listOf(customers, params, '/v1/customers');
  });

  operation(app, ctx, 'V1ProductsCreate', (params) => createProduct(ctx, params));
  operation(app, ctx, 'V1ProductsRetrieve', (_, { id }) => ctx.store.get('products', id, 'product'));
  operation(app, ctx, 'V1ProductsList', (params) =>
    listOf(Object.values(ctx.store.collection('products')), params, '/v1/products'),
  );

  operation(app, ctx, 'V1PricesCreate', (params) => createPrice(ctx, params));
  operation(app, ctx, 'V1PricesRetrieve', (_, { id }) => ctx.store.get('prices', id, 'price'));
  operation(app, ctx, 'V1PricesList', (params) => {
    const lookupKeys = params.lookup_keys ? [].concat(params.lookup_keys) : undefined;
    const prices = Object.values(ctx.store.collection('prices')).filter(
      (p) =>
        (!lookupKeys || lookupKeys.includes(p.lookup_key as never)) &&
        (params.active === undefined || String(p.active) === params.active) &&
        (!params.product || p.product === params.product) &&
        (!params.type || p.type === params.type),
    );
    return listOf(prices, params, '/v1/prices');
  });
}
