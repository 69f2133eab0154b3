import { type ClsService, ClsServiceManager } from 'nestjs-cls';

/** The tenant and environment a request acts on, once it has been authenticated. */
export interface RequestTenant {
  tenantId: string;
  env: string;
}

/**
 * Finds the tenant in a request's CLS store. The composition root supplies it, because only the
 * root knows where the identity module keeps the auth context (observability must not import it).
 */
export type TenantReader = (cls: ClsService) => RequestTenant | undefined;

/** Where a request's CLS store keeps the caller's own `x-request-id`, once it has passed the strict format. */
export const CLIENT_REQUEST_ID = 'clientRequestId';

/** Fields added to every line logged while a request is being served. */
export interface RequestLogFields {
  /** The request id: Fastify's `request.id`, the one echoed in `x-request-id`. Same key as the "request completed" line. */
  reqId?: string;
  /** The caller's `x-request-id`, when it sent an acceptable one: for finding its requests, never for the audit. */
  clientRequestId?: string;
  tenantId?: string;
  env?: string;
}

/**
 * A pino mixin: the request id, the caller's own id if it sent one and, once authenticated, the
 * tenant of the request whose CLS context the line is written in; nothing outside a request. A CLS context without an id (a job or a CLI run
 * that opened one for a transaction) is not a request. Runs only when a line is actually written,
 * never per request. Fields the line sets itself win (pino merges the mixin's object first).
 */
export function requestContextMixin(tenantReader: () => TenantReader | undefined): () => RequestLogFields {
  const cls = ClsServiceManager.getClsService();
  return () => {
    // Undefined outside any CLS context too.
    const reqId = cls.getId() as string | undefined;
    if (reqId === undefined) return {};
    // A new object each time: pino's merge strategy assigns the line's own fields into it.
    const fields: RequestLogFields = { reqId };
    const clientRequestId = cls.get<string | undefined>(CLIENT_REQUEST_ID);
    if (clientRequestId !== undefined) fields.clientRequestId = clientRequestId;
    const tenant = tenantReader()?.(cls);
    if (tenant) {
      fields.tenantId = tenant.tenantId;
      fields.env = tenant.env;
    }
    return fields;
  };
}
