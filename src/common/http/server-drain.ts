import { Injectable } from '@nestjs/common';

/**
 * The first phase of a graceful stop. While draining, readiness answers 503 so the load balancer
 * sends new traffic elsewhere, the listener keeps serving whatever still arrives, and every answer
 * carries `connection: close`, so no client sends its next request on a connection the server is
 * about to end (that request would be reset, and the client could not tell whether it ran).
 */
@Injectable()
export class ServerDrain {
  private started = false;

  get draining(): boolean {
    return this.started;
  }

  begin(): void {
    this.started = true;
  }
}
