import type { StripeObject } from '../store.js';
import { escapeHtml, money, page } from './html.js';

export interface PlanOption {
  priceId: string;
  name: string;
  amount: number;
}

const date = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 10);

function subscriptionCard(sessionId: string, subscription: StripeObject, options: PlanOption[]): string {
  const item =
    subscription.items.data.find((i: StripeObject) => i.price.recurring?.usage_type !== 'metered') ??
    subscription.items.data[0];
  const current = options.find((o) => o.priceId === item.price.id);
  const action = (name: string, label: string, extra = '', secondary = false) =>
    `<form class="inline" method="post" action="/p/session/${escapeHtml(sessionId)}/${name}">${extra}<button ${secondary ? 'class="secondary"' : ''} id="${name}">${escapeHtml(label)}</button></form>`;
  const switches = options
    .filter((o) => o.priceId !== item.price.id)
    .map((o) =>
      action(
        'switch',
        `Switch to ${o.name} (${money(o.amount)} / month)`,
        `<input type="hidden" name="price" value="${escapeHtml(o.priceId)}">`,
        true,
      ),
    )
    .join('');
  const status = subscription.cancel_at_period_end
    ? `Cancels on ${date(item.current_period_end)}`
    : `Renews on ${date(item.current_period_end)}`;
  return `<h1>${escapeHtml(current?.name ?? item.price.id)}</h1>
<p class="muted">Status: ${escapeHtml(subscription.status)} · ${status}</p>
${subscription.cancel_at_period_end ? action('resume', 'Renew plan') : action('cancel', 'Cancel plan', '', true)}
${switches}`;
}

export function portalPage(
  session: StripeObject,
  subscriptions: StripeObject[],
  options: PlanOption[],
  notice?: string,
): string {
  const body = subscriptions.length
    ? subscriptions.map((s) => subscriptionCard(session.id, s, options)).join('<hr>')
    : '<h1>No active subscription</h1>';
  return page(
    'Billing',
    `${notice ? `<p class="muted" role="status">${escapeHtml(notice)}</p>` : ''}${body}
<p class="muted"><a href="${escapeHtml(session.return_url ?? '#')}" id="return">Return to the application</a></p>`,
  );
}
