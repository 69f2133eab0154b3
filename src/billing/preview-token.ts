import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** A preview's proration date is honoured only for a while, and only for what it previewed. */
const VALID_FOR_MS = 15 * 60_000;

export interface PreviewClaims {
  tenantId: string;
  env: string;
  subscriptionId: string;
  planId: string;
  prorationDate: number;
}

const keyFrom = (secret: string) => createHash('sha256').update(`preview-token:${secret}`).digest();
const body = (c: PreviewClaims, issuedAt: number) =>
  [c.tenantId, c.env, c.subscriptionId, c.planId, c.prorationDate, issuedAt].join('|');

/**
 * Signs what a preview priced, so a change can charge exactly that without letting a client pick
 * its own proration date (one just before the period ends would make an upgrade nearly free).
 * Keyed from the Stripe secret key, which every instance shares.
 */
export function signPreview(secret: string, claims: PreviewClaims, issuedAt = Date.now()): string {
  return `${issuedAt}.${createHmac('sha256', keyFrom(secret)).update(body(claims, issuedAt)).digest('base64url')}`;
}

export function verifyPreview(secret: string, claims: PreviewClaims, token: string, now = Date.now()): boolean {
  const [issued, signature] = token.split('.');
  const issuedAt = Number(issued);
  if (!Number.isSafeInteger(issuedAt) || !signature || now - issuedAt > VALID_FOR_MS || issuedAt > now + 60_000)
    return false;
  const expected = Buffer.from(signPreview(secret, claims, issuedAt).split('.')[1]);
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
