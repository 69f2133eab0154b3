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

/** Fields added to every line logged while a request is being served. */
export interface RequestLogFields {
  /** The request id: Fastify's `request.id`, the one echoed in `x-request-id`. Same key as the "request completed" line. */
  reqId?: string;
  tenantId?: string;
  env?: string;
}

/**
 * A pino mixin: the request id and, once authenticated, the tenant of the request whose CLS context
 * the line is written in; nothing outside a request. A CLS context without an id (a job or a CLI run
 * that opened one for a transaction) is not a request. Runs only when a line is actually written,
 * never per request. Fields the line sets itself win (pino merges the mixin's object first).
 */
export function requestContextMixin(tenantReader: () => TenantReader | undefined): () => RequestLogFields {
  const cls = ClsServiceManager.getClsService();
  return () => {
    // Undefined outside any CLS context too.
    const reqId = cls.getId() as string | undefined;
    if (reqId === undefined) return {};
    const tenant = tenantReader()?.(cls);
    // A new object each time: pino's merge strategy assigns the line's own fields into it.
    return tenant ? { reqId, tenantId: tenant.tenantId, env: tenant.env } : { reqId };
  };
}
