import type { FastifyBodyParser, FastifyInstance } from 'fastify';
import { validationFailed } from '../errors/common.errors.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.js';

/**
 * Fastify's JSON parser (prototype-poisoning checks included) behind a nesting limit, so a deeply
 * nested body is refused in one linear scan before anything recursive sees it. Registered through
 * `app.useBodyParser()`, which keeps `request.rawBody` for the webhook's signature check.
 */
export function depthLimitedJsonParser(fastify: FastifyInstance): FastifyBodyParser<Buffer> {
  const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig as {
    onProtoPoisoning?: 'error' | 'remove' | 'ignore';
    onConstructorPoisoning?: 'error' | 'remove' | 'ignore';
  };
  const parse = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error');
  return (request, body, done) => {
    const text = body.toString('utf8');
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
      done(
        validationFailed([
          { field: 'body', problems: [`body nests objects or arrays more than ${MAX_JSON_DEPTH} deep`] },
        ]),
        undefined,
      );
      return;
    }
    void parse(request, text, done);
  };
}
