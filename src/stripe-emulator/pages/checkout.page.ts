import type { StripeObject } from '../store.js';
import { escapeHtml, money, page } from './html.js';

export interface CheckoutLine {
  name: string;
  amount: number | null;
  metered: boolean;
}

export function checkoutPage(session: StripeObject, lines: CheckoutLine[], error?: string): string {
  const rows = lines
    .map(
      (line) =>
        `<tr><td>${escapeHtml(line.name)}</td><td>${line.metered ? 'billed by usage' : `${money(line.amount ?? 0)} / month`}</td></tr>`,
    )
    .join('');
  const cancel = session.cancel_url
    ? `<p class="muted"><a href="${escapeHtml(session.cancel_url)}">Cancel and go back</a></p>`
    : '';
  return page(
    'Checkout',
    `<h1>Subscribe</h1><p class="muted">${escapeHtml(session.customer_email ?? '')}</p>
<table>${rows}<tr><td><strong>Due today</strong></td><td><strong>${money(session.amount_total ?? 0)}</strong></td></tr></table>
<form method="post" action="/c/pay/${escapeHtml(session.id)}">
<label for="card_number">Card number</label>
<input id="card_number" name="card_number" inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242" required>
<button type="submit" id="pay">Pay</button>
</form>
${error ? `<div class="error" role="alert">${escapeHtml(error)}</div>` : ''}
<p class="muted">Test cards: 4242 4242 4242 4242 succeeds · 4000 0000 0000 0002 is declined · 4000 0000 0000 0341 pays now, fails renewals.</p>
${cancel}`,
  );
}

export const closedCheckoutPage = (session: StripeObject) =>
  page(
    'Checkout',
    `<h1>This checkout is ${escapeHtml(session.status)}</h1><p class="muted">Start again from the application.</p>`,
  );

export const paidPage = () => page('Paid', '<h1>Payment complete</h1><p class="muted">You can close this page.</p>');
