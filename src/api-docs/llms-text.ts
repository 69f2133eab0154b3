import type { OpenAPIObject } from '@nestjs/swagger';
import { BILLING_EVENT_TYPES } from '../common/events/billing-event.js';
import { PLANS } from '../plans/plans.js';
import type { ErrorCodeInfo } from '../common/errors/app-error.js';
import { operationOf, type RouteInfo } from './route-catalog.js';

export interface LlmsSources {
  baseUrl: string;
  streamKeepAliveSeconds: number;
  routes: RouteInfo[];
  document: OpenAPIObject;
  errors: Map<string, ErrorCodeInfo>;
}

type Schema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  items?: Schema;
};

const WHO: Record<RouteInfo['access'], (route: RouteInfo) => string> = {
  public: () => 'public',
  stripe_signature: () => 'Stripe (signed)',
  operator: () => 'platform operator, user JWT',
  user: () => 'signed-in user (JWT)',
  roles: (route) => (route.roles.length === 3 ? 'any member' : route.roles.join(', ')),
  authenticated: () => 'any authenticated caller',
};

const money = (cents: number) => `$${(cents / 100).toFixed(2)}`;
const count = (n: number | null) => (n === null ? 'unlimited' : n.toLocaleString('en-US'));

type Operation = ReturnType<typeof operationOf>;

function bodyOf(document: OpenAPIObject, operation: Operation): string {
  const content = (operation?.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined)?.content;
  const given = content?.['application/json']?.schema;
  // A DTO's schema is a component; a route validated by a JSON Schema of its own carries it inline.
  const schema = given?.$ref
    ? (document.components?.schemas?.[given.$ref.split('/').pop()!] as Schema | undefined)
    : given;
  if (!schema?.properties) return '';
  const fields = Object.entries(schema.properties).map(([name, property]) => {
    const type = property.enum ? property.enum.map((v) => JSON.stringify(v)).join('|') : (property.type ?? 'object');
    return `${name}${schema.required?.includes(name) ? '' : '?'}: ${type}`;
  });
  return ` Body: \`{${fields.join(', ')}}\`.`;
}

const endpointLine = (sources: LlmsSources, route: RouteInfo) => {
  const operation = operationOf(sources.document, route);
  const summary = (operation?.summary ?? '').trim();
  return `- \`${route.method} ${route.path}\` [${WHO[route.access](route)}]${summary ? ` ${summary}` : ''}${bodyOf(sources.document, operation)}`;
};

const UPGRADE_FLOW = (
  base: string,
) => `1. \`GET ${base}/billing/status\` (any member): the plan, quota used and remaining, and whether a subscription exists.
2. \`GET ${base}/billing/plans\` (public): what each plan includes and costs.
3. \`POST ${base}/billing/checkout\` with \`{"plan_id": "starter"}\` (owner or admin key): returns \`{url, session_id}\`.
   Give the \`url\` to a person: payment happens on Stripe's page and an agent must never fill it in.
   A tenant that already pays changes plans with \`POST /billing/subscription/change\` instead (preview first with \`POST /billing/subscription/preview\`).
4. Wait for the credits to change: they change when Stripe's webhook reaches the service, usually within seconds of payment,
   not when checkout returns. Watch \`GET /billing/stream\` for \`entitlement.updated\`, or poll \`GET /billing/status\` every few seconds.
5. Retry the request that got 402. Members cannot buy (403 \`forbidden_role\`): ask an owner or admin.`;

const CREDIT_HEADERS = `Every metered response that reached the meter (200, 402 \`quota_exceeded\`, 429) carries:
- \`X-Credits-Total\`: the monthly quota, in the meter's units (characters).
- \`X-Credits-Used\`: used this period, this request included.
- \`X-Credits-Remaining\`: what is left this period.
- \`X-Credits-Cost\`: what this request cost.
- \`X-Credits-Reset\`: when the period ends and usage starts again at zero (ISO 8601).
- \`RateLimit-Limit\`, \`RateLimit-Remaining\`, \`RateLimit-Reset\` (seconds): the hourly request window (absent on unlimited plans).
- \`Retry-After\` (seconds) on 429.

A 402 \`feature_not_in_plan\` or \`subscription_inactive\` is decided before metering and carries none of them.`;

/** /llms.txt: what the API is and where the rest is, in the llmstxt.org shape. */
export function llmsText(sources: LlmsSources): string {
  const base = sources.baseUrl;
  const keyRoutes = [
    'GET /billing/status',
    'GET /billing/plans',
    'POST /billing/checkout',
    'GET /billing/entitlements',
    'POST /entitlements/check',
    'POST /usage/consume',
    'POST /v1/summarize',
    'GET /billing/stream',
  ];
  const routes = keyRoutes
    .map((key) => sources.routes.find((r) => `${r.method} ${r.path}` === key))
    .filter((r): r is RouteInfo => !!r);
  return `# Billing and entitlements service

> Sells API usage on monthly plans (${PLANS.map((p) => p.id).join(', ')}) through Stripe and enforces each tenant's plan on every metered request: a monthly quota (402 when used up) and an hourly rate limit (429).

- Authenticate with \`Authorization: Bearer <API key>\` (keys look like \`bk_test_…\` or \`bk_live_…\` and carry their tenant, env and role), or a user's JWT plus \`X-Tenant-Id\`.
- Metered responses carry \`X-Credits-Total\`, \`X-Credits-Used\`, \`X-Credits-Remaining\`, \`X-Credits-Cost\` and \`RateLimit-*\` headers.
- Errors are \`{"error":{"code","message","request_id"}}\`; out of credits is 402 \`quota_exceeded\`.
- To get more credits: check \`GET /billing/status\`, create a checkout with \`POST /billing/checkout\`, give its URL to a person to pay, then wait for the credits to change (they change when Stripe's webhook arrives).

## Docs

- [Full reference for agents](${base}/llms-full.txt): every endpoint, auth, plans, credit headers, error codes, the upgrade flow
- [OpenAPI document](${base}/docs-json): machine-readable, every route with its auth scheme and error responses
- [Interactive API docs](${base}/docs)

## Endpoints

${routes.map((route) => endpointLine(sources, route)).join('\n')}

## Optional

- [All other endpoints](${base}/llms-full.txt): members, API keys, plan changes, cancel, PAYG, audit log, operators
`;
}

/** /llms-full.txt: the whole API for an agent, built from the running service so it cannot drift. */
export function llmsFullText(sources: LlmsSources): string {
  const base = sources.baseUrl;
  const plans = PLANS.map(
    (p) =>
      `| ${p.id} | ${money(p.priceCents)}/${p.interval} | ${count(p.monthlyCharacters)} | ${count(p.requestsPerHour)} | ${p.features.join(', ')} |`,
  ).join('\n');
  const errors = [...sources.errors.entries()]
    .sort(([, a], [, b]) => a.status - b.status)
    .map(([code, info]) => `| \`${code}\` | ${info.status} | ${info.message} |`)
    .join('\n');
  const endpoints = sources.routes
    .filter((route) => route.path !== '/llms.txt' && route.path !== '/llms-full.txt')
    .sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method))
    .map((route) => endpointLine(sources, route))
    .join('\n');
  return `# Billing and entitlements service: full reference for AI agents

> Base URL: ${base}. Sells API usage on monthly plans through Stripe, keeps each tenant's entitlements in step with Stripe, and enforces them on every metered request. OpenAPI: ${base}/docs-json.

## Authentication

- **API key** (most agents): \`Authorization: Bearer bk_test_…\` or \`bk_live_…\`. The key carries its tenant, its environment (test or live) and its role (owner, admin or member). Never send a tenant or env in a body: they always come from the credentials.
- **User JWT**: \`Authorization: Bearer <JWT>\` from the identity provider, with \`X-Tenant-Id: <tenant uuid>\` and optionally \`X-Env: test|live\`.
- Roles: owners and admins may buy, change plans, manage members and keys, and read the audit log; members may use the API and read billing status, usage and the event stream.
- Test and live are separate worlds: a test key never sees live data, and test mode never charges a card.

## Plans

| plan | price | characters / month | requests / hour | features |
|---|---|---|---|---|
${plans}

Features gate parts of the API: \`POST /v1/summarize\` with a \`mode\` other than \`brief\` needs \`all_modes\`; with \`model\` it needs \`custom_models\`.
With pay-as-you-go on (\`POST /billing/payg\`), requests past the quota pass and the overage is billed through Stripe.

## Credits, quotas and rate limits

The metered example API is \`POST /v1/summarize\` \`{"text": "...", "mode": "brief"|"bullets"|"detailed", "model"?: "..."}\`; it costs the number of characters in \`text\`.
Usage is counted per period (the subscription's billing period, or the calendar month on free) and starts at zero each period.
A request whose handler fails gets its credits back.

${CREDIT_HEADERS}

Before spending, an agent can ask without consuming: \`POST /entitlements/check\` \`{"feature"?, "meter"?: "characters", "amount"?}\` → \`{allowed, code, limit, remaining, resets_at}\`.
A service outside this one consumes with \`POST /usage/consume\` \`{"meter": "characters", "amount": n, "idempotency_key"?}\` (same key, same answer).

| situation | status | code | what to do |
|---|---|---|---|
| quota used up | 402 | \`quota_exceeded\` | the body has \`limit\`, \`used\`, \`resets_at\`, \`upgrade_url\`: follow the upgrade flow, or wait for \`resets_at\` |
| feature not in plan | 402 | \`feature_not_in_plan\` | upgrade to a plan with the feature (see Plans), or drop the option |
| subscription canceled or unpaid | 402 | \`subscription_inactive\` | an owner or admin fixes billing (\`POST /billing/portal\`) |
| hourly limit reached | 429 | \`rate_limited\` | wait \`Retry-After\` seconds |
| too many billing requests in a minute (checkout, portal, plan change and preview, cancel, reactivate, PAYG; per tenant) | 429 | \`rate_limited\` | wait \`Retry-After\` seconds; reuse a checkout \`url\` rather than asking for a new one |
| too many open \`GET /billing/stream\` for one key or user | 429 | \`rate_limited\` | close a stream you no longer read; one per client is enough |
| too many failed authentications from your address | 429 | \`rate_limited\` | fix the credentials, then wait \`Retry-After\` seconds |
| the service's database is unreachable (any route) | 503 | \`database_unavailable\` | nothing was done: retry after \`Retry-After\` seconds |

## The upgrade flow

${UPGRADE_FLOW(base)}

## Billing event stream

\`GET ${base}/billing/stream\` (any member) is a server-sent event stream of \`{id, type, tenant_id, env, occurred_at, data}\` with types ${BILLING_EVENT_TYPES.map((t) => `\`${t}\``).join(', ')}.
Send \`Last-Event-ID\` to resume after a disconnect without missing anything. A comment line arrives every ${sources.streamKeepAliveSeconds} s.

## Errors

Every error has one shape: \`{"error":{"code":"…","message":"…","request_id":"…"}}\`; \`validation_failed\` adds \`details\` per field. Act on \`code\`, never on \`message\`.

| code | status | meaning |
|---|---|---|
${errors}

## Endpoints

${endpoints}
`;
}
