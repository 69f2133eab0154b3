import { readFileSync } from 'node:fs';
import { invalidRequest, StripeApiError } from './stripe-error.js';

interface ParamSpec {
  type: string;
  enum?: string[];
}

export interface OperationSpec {
  method: string;
  path: string;
  params: Record<string, ParamSpec>;
  containers: string[];
}

export const OPERATIONS = JSON.parse(
  readFileSync(new URL('./reference/operations.json', import.meta.url), 'utf8'),
) as Record<string, OperationSpec>;

interface Leaf {
  path: string;
  display: string;
  value: unknown;
}

/** Flattens qs-parsed parameters; array indices vanish from the path (`line_items[0][price]` → `line_items.price`). */
function leaves(value: unknown, path: string[], display: string): Leaf[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => leaves(item, path, `${display}[${index}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, child]) =>
      leaves(child, [...path, key], display ? `${display}[${key}]` : key),
    );
  }
  return [{ path: path.join('.'), display, value }];
}

function checkType(spec: ParamSpec, leaf: Leaf): void {
  const text = String(leaf.value);
  if (spec.type === 'integer' && !/^-?\d+$/.test(text))
    throw invalidRequest(`Invalid integer: ${text}`, leaf.display, 'parameter_invalid_integer');
  if (spec.type === 'boolean' && text !== 'true' && text !== 'false') {
    throw invalidRequest(`Invalid boolean: ${text}`, leaf.display, 'parameter_invalid_boolean');
  }
  if (spec.enum && !spec.enum.includes(text)) {
    throw invalidRequest(
      `Invalid ${leaf.display}: must be one of ${spec.enum.join(', ')}`,
      leaf.display,
      'parameter_invalid_string',
    );
  }
}

const isUnder = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}.`);

/** operations.json leaves out arrays of objects; these are the fields Stripe accepts in each element. */
const SUBSCRIPTION_ITEM_FIELDS = [
  'billing_thresholds',
  'clear_usage',
  'current_trial',
  'deleted',
  'discounts',
  'id',
  'metadata',
  'plan',
  'price',
  'price_data',
  'quantity',
  'tax_rates',
];
const ELEMENT_FIELDS: Record<string, string[]> = {
  line_items: ['adjustable_quantity', 'metadata', 'price', 'price_data', 'quantity', 'tax_rates'],
  items: SUBSCRIPTION_ITEM_FIELDS,
  'subscription_details.items': SUBSCRIPTION_ITEM_FIELDS,
};

const unknownParameter = (display: string) =>
  new StripeApiError(
    400,
    'invalid_request_error',
    `Received unknown parameter: ${display}`,
    'parameter_unknown',
    display,
  );

/** Rejects what Stripe rejects: unknown parameters, malformed integers and booleans, values outside an enum. */
export function validateParams(operation: OperationSpec, params: Record<string, unknown>): void {
  const known = Object.keys(operation.params);
  for (const leaf of leaves(params, [], '')) {
    const spec = operation.params[leaf.path];
    if (spec) {
      checkType(spec, leaf);
      continue;
    }
    const container = operation.containers.find((name) => isUnder(leaf.path, name));
    if (container) {
      const field = leaf.path.slice(container.length + 1).split('.')[0];
      if (field && ELEMENT_FIELDS[container] && !ELEMENT_FIELDS[container].includes(field))
        throw unknownParameter(leaf.display);
      continue;
    }
    const segments = leaf.path.split('.');
    const opaqueParent = segments
      .slice(0, -1)
      .map((_, i) => segments.slice(0, i + 1).join('.'))
      .some((prefix) => operation.params[prefix] && !known.some((name) => name.startsWith(`${prefix}.`)));
    if (opaqueParent) continue;
    throw unknownParameter(leaf.display);
  }
}
