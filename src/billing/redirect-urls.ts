import type { AppConfig } from '../config/app-config.js';
import { BillingError } from './billing.errors.js';

/** Checkout and portal send people back only to our own origins: never an open redirect. */
export function allowedRedirect(config: AppConfig, url: string | undefined, fallbackPath: string): string {
  if (!url) return `${config.appUrl}${fallbackPath}`;
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    throw new BillingError('redirect_not_allowed');
  }
  if (!config.allowedOrigins.includes(origin))
    throw new BillingError('redirect_not_allowed', `${origin} is not APP_URL or one of CORS_ORIGINS.`);
  return url;
}
