import type { FastifyRequest } from 'fastify';

export const REQUIRED_FEATURES = 'entitlements:features';
export const METERED = 'entitlements:metered';

export interface MeteredOptions {
  meter: string;
  /** The request's cost in the meter's units, e.g. the characters it sends. */
  cost: (request: FastifyRequest) => number;
  /** Features the request needs beyond the route's, decided from the request itself. */
  features?: (request: FastifyRequest) => string[];
}
