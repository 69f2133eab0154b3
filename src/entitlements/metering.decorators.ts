import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { EntitlementGuard } from './entitlement.guard.js';
import { METERED, type MeteredOptions, REQUIRED_FEATURES } from './metering.metadata.js';

export type { MeteredOptions } from './metering.metadata.js';

/** The route needs these plan features (402 feature_not_in_plan otherwise). */
export const RequireFeature = (...features: string[]) =>
  applyDecorators(SetMetadata(REQUIRED_FEATURES, features), UseGuards(EntitlementGuard));

/** The route consumes quota and counts against the hourly rate; refunded if the handler fails. */
export const Metered = (options: MeteredOptions) =>
  applyDecorators(SetMetadata(METERED, options), UseGuards(EntitlementGuard));
