const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

const textOf = (value: unknown) => (typeof value === 'string' ? value : value == null ? '' : JSON.stringify(value));

export const escapeHtml = (value: unknown) => textOf(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);

export const money = (cents: number) => `$${(cents / 100).toFixed(2)}`;

/** A plain page in the emulator's look: no external assets, so it works offline and in tests. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;background:#f6f9fc;color:#1a1f36;margin:0;padding:40px 16px}
main{max-width:460px;margin:auto;background:#fff;border-radius:8px;padding:28px;box-shadow:0 2px 8px rgba(0,0,0,.08)}
h1{font-size:20px;margin:0 0 4px}.muted{color:#697386;font-size:13px}.badge{background:#ffde92;border-radius:4px;padding:2px 6px;font-size:12px}
table{width:100%;border-collapse:collapse;margin:16px 0}td{padding:6px 0}td:last-child{text-align:right}
label{display:block;font-size:13px;margin:14px 0 4px}input{width:100%;box-sizing:border-box;padding:10px;border:1px solid #ccd;border-radius:6px;font-size:16px}
button{width:100%;margin-top:16px;padding:12px;border:0;border-radius:6px;background:#635bff;color:#fff;font-size:16px;cursor:pointer}
button.secondary{background:#e3e8ee;color:#1a1f36}.error{background:#fde8e8;color:#9b1c1c;padding:10px;border-radius:6px;margin-top:12px}
form.inline{margin:0}
</style></head><body><main>
<p><span class="badge">Stripe emulator · test mode</span></p>
${body}
</main></body></html>`;
}
