import { readFileSync } from 'node:fs';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const fixtures = JSON.parse(readFileSync(new URL('./reference/fixtures.json', import.meta.url), 'utf8')) as Record<
  string,
  Record<string, Json>
>;

/** An example value stripped of its placeholder content: empty lists, null scalars, booleans false. */
function neutral(value: Json): Json {
  if (Array.isArray(value)) return [];
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, neutral(v)]));
  return typeof value === 'boolean' ? false : null;
}

/**
 * Gives an object every field Stripe's example object of that resource has: the fields the
 * emulator manages keep their values, the rest are present with neutral values.
 */
export function withShape<T extends object>(resource: string, object: T): T & Record<string, unknown> {
  const fixture = fixtures[resource];
  if (!fixture) throw new Error(`no fixture for ${resource}`);
  const shaped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fixture)) shaped[key] = neutral(value);
  return Object.assign(shaped, object);
}
