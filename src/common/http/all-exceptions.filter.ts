import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DatabaseOutage } from '../../database/database-outage.js';
import { errorBody, toAppError } from '../errors/to-error-response.js';

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  constructor(private readonly outage: DatabaseOutage) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const error = toAppError(exception);
    // An unreachable database is logged once for the whole outage, not with a stack per request; any
    // other 503 is an answer given on purpose (not ready, billing off), nothing to trace.
    if (!this.outage.absorbs(exception) && error.status >= 500 && error.status !== 503)
      this.logger.error({ err: exception, requestId: request.id }, 'request failed');
    // Every refusal that says when to come back says it in the header too (429 rate_limited).
    const retryAfter = error.fields.retry_after_seconds;
    if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
    void reply.status(error.status).send(errorBody(error, request.id));
  }
}
