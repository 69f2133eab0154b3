import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { CommonError } from '../common/errors/common.errors.js';
import { PublicUnlimited } from '../common/http/public.decorator.js';
import { ServerDrain } from '../common/http/server-drain.js';

@ApiTags('health')
@Controller('health')
// Never limited per address: a probe refused with 429 would restart or unroute a healthy instance.
@PublicUnlimited()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly drain: ServerDrain,
  ) {}

  /** Liveness: the process answers. Never touches dependencies, so a database outage does not restart it. */
  @Get()
  @ApiOperation({ summary: 'Liveness: 200 while the process answers.' })
  live() {
    return { status: 'ok' };
  }

  /** Readiness: 503 while the database cannot be reached or the instance is shutting down, so the load balancer routes elsewhere. */
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: 200 when the database answers, 503 otherwise or once shutdown has begun.' })
  async ready() {
    if (this.drain.draining)
      throw new CommonError('service_unavailable', 'This instance is shutting down.', {
        checks: { shutdown: 'draining' },
      });
    try {
      return await this.health.check([() => this.database.pingCheck('database', { timeout: 1_500 })]);
    } catch {
      throw new CommonError('service_unavailable', 'The database is not reachable.', { checks: { database: 'down' } });
    }
  }
}
