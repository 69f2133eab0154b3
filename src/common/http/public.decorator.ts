import { applyDecorators, SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'identity:public';
export const NO_CLIENT_LIMIT = 'identity:no-client-limit';

/** No authentication at all; read by identity's AuthGuard. Declared here so operations routes can use it. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * Public, and never refused by the per-address limit on public routes: for callers that must not be
 * turned away (Stripe's webhook deliveries, an orchestrator's health probes). See docs/operations.md.
 */
export const PublicUnlimited = () => applyDecorators(Public(), SetMetadata(NO_CLIENT_LIMIT, true));
