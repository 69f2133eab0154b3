import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorContext } from './context.js';
import { newId } from './ids.js';
import { OPERATIONS, validateParams } from './params.js';
import type { StripeObject } from './store.js';
import { StripeApiError } from './stripe-error.js';

export type Params = Record<string, any>;
type Handler = (
  params: Params,
  path: Record<string, string>,
  request: FastifyRequest,
) => StripeObject | Promise<StripeObject>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function expandPath(ctx: EmulatorContext, target: StripeObject, segments: string[]): void {
  const [head, ...rest] = segments;
  if (!head || !target || typeof target !== 'object') return;
  if (head === 'data' && Array.isArray(target.data)) {
    for (const item of target.data) expandPath(ctx, item, rest);
    return;
  }
  if (typeof target[head] === 'string') {
    const found = ctx.store.byId(target[head]);
    if (found) target[head] = structuredClone(found);
  }
  expandPath(ctx, target[head], rest);
}

function send(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply
    .status(status)
    .header('request-id', newId('req', 14))
    .header('stripe-version', '2026-10-28.endive')
    .send(body);
}

/**
 * Registers one catalogued Stripe operation with what Stripe's edge does around it: injected faults,
 * parameter validation against the catalogue, idempotency keys, `expand`, and Stripe's error shape.
 */
export function operation(app: FastifyInstance, ctx: EmulatorContext, name: string, handler: Handler): void {
  const spec = OPERATIONS[name];
  if (!spec) throw new Error(`unknown Stripe operation ${name}`);
  // One name for every path parameter, so routes that share a prefix never disagree on it.
  const url = spec.path.replace(/\{\w+\}/g, ':id');
  app.route({
    method: spec.method,
    url,
    handler: async (request, reply) => {
      ctx.latency.inFlight++;
      try {
        return await handle(request, reply);
      } finally {
        ctx.latency.inFlight--;
      }
    },
  });

  async function handle(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    if (ctx.faults.remaining > 0 && (!ctx.faults.method || ctx.faults.method === spec.method)) {
      ctx.faults.remaining--;
      if (ctx.faults.mode === 'hang') await sleep(ctx.faults.hang_ms);
      return send(
        reply,
        500,
        new StripeApiError(500, 'api_error', 'An unknown error occurred (injected by the emulator).').toJSON(),
      );
    }
    // The SDK sends GET and DELETE parameters in the query string.
    const params = ((spec.method === 'POST' ? request.body : request.query) ?? {}) as Params;
    const key = spec.method === 'POST' ? (request.headers['idempotency-key'] as string | undefined) : undefined;
    const fingerprint = createHash('sha256')
      .update(`${spec.method} ${request.url} ${JSON.stringify(params)}`)
      .digest('hex');
    try {
      validateParams(spec, params);
      const stored = key ? ctx.store.data.idempotency[key] : undefined;
      if (stored && stored.fingerprint !== fingerprint) {
        throw new StripeApiError(
          400,
          'idempotency_error',
          `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        );
      }
      if (stored) return send(reply.header('idempotent-replayed', 'true'), stored.status, stored.body);
      if (key && ctx.idempotencyInProgress.has(key))
        throw new StripeApiError(
          409,
          'invalid_request_error',
          `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
          'idempotency_key_in_use',
        );
    } catch (error) {
      if (error instanceof StripeApiError) return send(reply, error.status, error.toJSON());
      throw error;
    }
    if (key) ctx.idempotencyInProgress.add(key);
    let status = 200;
    let body: unknown;
    try {
      // Slow work, not a slow edge: a request that outlives its client's timeout still takes effect.
      if (ctx.latency.remaining !== 0 && (!ctx.latency.method || ctx.latency.method === spec.method)) {
        if (ctx.latency.remaining > 0) ctx.latency.remaining--;
        await sleep(ctx.latency.ms);
      }
      const result = structuredClone(await handler(params, request.params as Record<string, string>, request));
      for (const path of [].concat(params.expand ?? [])) expandPath(ctx, result, String(path).split('.'));
      body = result;
    } catch (error) {
      if (!(error instanceof StripeApiError)) throw error;
      status = error.status;
      body = error.toJSON();
    } finally {
      if (key) ctx.idempotencyInProgress.delete(key);
    }
    if (key) {
      ctx.store.data.idempotency[key] = { fingerprint, status, body };
      ctx.store.changed();
    }
    return send(reply, status, body);
  }
}

/** Stripe's list object: newest first, cursor pagination with `starting_after` / `ending_before`, `limit` 1 to 100. */
export function listOf(objects: StripeObject[], params: Params, url: string): StripeObject {
  const limit = params.limit === undefined ? 10 : Number(params.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new StripeApiError(
      400,
      'invalid_request_error',
      `Invalid integer: ${params.limit}. This value must be between 1 and 100.`,
      'parameter_invalid_integer',
      'limit',
    );
  }
  const items = [...objects].reverse();
  const cursor = (param: 'starting_after' | 'ending_before') => {
    const index = items.findIndex((o) => o.id === params[param]);
    if (index < 0)
      throw new StripeApiError(
        400,
        'invalid_request_error',
        `No such object: '${params[param]}'`,
        'resource_missing',
        param,
      );
    return index;
  };
  if (params.ending_before) {
    const before = items.slice(0, cursor('ending_before'));
    return { object: 'list', data: before.slice(-limit), has_more: before.length > limit, url };
  }
  const after = params.starting_after ? items.slice(cursor('starting_after') + 1) : items;
  return { object: 'list', data: after.slice(0, limit), has_more: after.length > limit, url };
}

/** `display` names a nested param as Stripe does, e.g. `line_items[0][price]`. */
export function requireParam(params: Params, name: string, display = name): any {
  if (params[name] === undefined || params[name] === '') {
    throw new StripeApiError(
      400,
      'invalid_request_error',
      `Missing required param: ${display}.`,
      'parameter_missing',
      display,
    );
  }
  return params[name];
}
