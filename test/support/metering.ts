import type { TestApp } from './test-app.js';

/** A platform operator's token: the user signs in once, then is made an operator in the database. */
export async function operatorToken(
  t: TestApp,
  subject = 'idp|metering-operator',
  email = 'metering-operator@example.com',
) {
  const token = await t.mintToken(subject, email);
  await t.request('GET', '/tenants/current', { token });
  await t.query('UPDATE users SET is_operator = true WHERE subject = $1', [subject]);
  return token;
}

/** Gives a tenant a plan the way an operator would, with a comp (no Stripe needed). */
export async function compTenant(t: TestApp, tenantId: string, planId: string, expiresAt?: string) {
  const operator = await operatorToken(t);
  const response = await t.request('PUT', `/admin/tenants/${tenantId}/comp`, {
    token: operator,
    body: { env: 'test', plan_id: planId, reason: 'testing', ...(expiresAt ? { expires_at: expiresAt } : {}) },
  });
  if (response.status !== 200) throw new Error(`comp failed: ${JSON.stringify(response.body)}`);
  return operator;
}

export const summarize = (
  t: TestApp,
  token: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) => t.request('POST', '/v1/summarize', { token, body, headers });

/** Sets how much of the current period a tenant has used, as if it had. */
export async function setUsed(t: TestApp, tenantId: string, used: number, periodStart: Date) {
  await t.query(
    `INSERT INTO usage_counters (tenant_id, env, meter, period_start, used) VALUES ($1, 'test', 'characters', $2, $3)
     ON CONFLICT (tenant_id, env, meter, period_start) DO UPDATE SET used = EXCLUDED.used`,
    [tenantId, periodStart, used],
  );
}
