import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DomainEventsModule } from '../common/events/domain-events.module.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';
import { rateLimitedProvider } from '../observability/rate-limit-metrics.js';
import { ApiKeyCache } from './auth/api-key-cache.js';
import { AuthGuard } from './auth/auth.guard.js';
import { Authenticator } from './auth/authenticator.js';
import { ClientLimits } from './auth/client-limits.js';
import { JwtVerifier } from './auth/jwt-verifier.js';
import { RolesGuard } from './auth/roles.guard.js';
import { ApiKey } from './entities/api-key.entity.js';
import { Membership } from './entities/membership.entity.js';
import { Tenant } from './entities/tenant.entity.js';
import { User } from './entities/user.entity.js';
import { MembersController } from './members.controller.js';
import { MembersService } from './members.service.js';
import { MembershipsRepository } from './memberships.repository.js';
import { TenantsController } from './tenants.controller.js';
import { TenantsRepository } from './tenants.repository.js';
import { TenantsService } from './tenants.service.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Tenant, User, Membership, ApiKey]), DomainEventsModule],
  controllers: [TenantsController, MembersController, ApiKeysController],
  providers: [
    TenantsRepository,
    UsersRepository,
    MembershipsRepository,
    ApiKeysRepository,
    UsersService,
    TenantsService,
    MembersService,
    ApiKeysService,
    JwtVerifier,
    ApiKeyCache,
    Authenticator,
    ClientLimits,
    rateLimitedProvider,
    // Registration order is execution order: authenticate first, then check roles.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [TenantsService, UsersService, JwtVerifier],
})
export class IdentityModule {}
