import { Injectable } from '@nestjs/common';
import { createRemoteJWKSet, type JWTPayload, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { AppConfig } from '../../config/app-config.js';
import { isStorableString } from '../../common/http/ill-formed-strings.js';
import { normalizeEmail, provesNormalizedAddress } from '../email-address.js';
import { IdentityError } from '../identity.errors.js';

export interface VerifiedIdentity {
  subject: string;
  /**
   * Only an email the identity provider verified (an unverified one could be anyone's), normalised;
   * null for a look-alike, which proves only itself (see email-address.ts).
   */
  email: string | null;
}

/** Verifies user tokens with `JWT_SECRET` (HS256) or the keys at `JWT_JWKS_URL`. */
@Injectable()
export class JwtVerifier {
  private readonly key: Uint8Array | JWTVerifyGetKey | undefined;

  constructor(private readonly config: AppConfig) {
    const { secret, jwksUrl } = config.jwt;
    this.key = jwksUrl ? createRemoteJWKSet(new URL(jwksUrl)) : secret ? new TextEncoder().encode(secret) : undefined;
  }

  async verify(token: string): Promise<VerifiedIdentity> {
    if (!this.key)
      throw new IdentityError('invalid_token', 'User tokens are not configured (JWT_SECRET or JWT_JWKS_URL).');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key as Uint8Array, {
        algorithms: this.config.jwt.jwksUrl ? undefined : ['HS256'],
        issuer: this.config.jwt.issuer,
        audience: this.config.jwt.audience,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch {
      throw new IdentityError('invalid_token');
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 255) {
      throw new IdentityError('invalid_token');
    }
    this.assertLifetime(payload);
    this.assertStorable(payload);
    const email = typeof payload.email === 'string' && payload.email_verified === true ? payload.email : null;
    return { subject: payload.sub, email: email && provesNormalizedAddress(email) ? normalizeEmail(email) : null };
  }

  /** A signed claim is still input: Postgres refuses NUL and unpaired surrogates, which must not cost a 500. */
  private assertStorable(payload: JWTPayload): void {
    for (const claim of ['sub', 'email'] as const) {
      const value = payload[claim];
      if (typeof value === 'string' && !isStorableString(value)) {
        throw new IdentityError(
          'invalid_token',
          `The token's ${claim} claim contains a NUL character or an unpaired UTF-16 surrogate.`,
        );
      }
    }
  }

  /** A valid signature is not a licence forever: neither a token issued long ago nor one with a far `exp` passes. */
  private assertLifetime(payload: JWTPayload): void {
    const maxAge = this.config.jwt.maxAgeSeconds;
    const now = Math.floor(Date.now() / 1000);
    const issuedAt = typeof payload.iat === 'number' ? payload.iat : now;
    if (now - issuedAt > maxAge || payload.exp! - issuedAt > maxAge) {
      throw new IdentityError('invalid_token', `The token may live at most JWT_MAX_AGE_SECONDS (${maxAge} s).`);
    }
  }
}
