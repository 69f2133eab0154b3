import { type CanActivate, Injectable, Module } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ClsModule } from 'nestjs-cls';
import { dropPassThroughEnhancers } from './nest-pass-through-enhancers.js';

@Injectable()
class OwnGuard implements CanActivate {
  canActivate() {
    return true;
  }
}

/** An app's own guard written as a plain object (a maintenance switch, say) must survive. */
const maintenanceSwitch = { canActivate: () => true };

@Module({
  imports: [ClsModule.forRoot({ global: true })],
  providers: [
    { provide: APP_GUARD, useClass: OwnGuard },
    { provide: APP_GUARD, useValue: maintenanceSwitch },
  ],
})
class TestModule {}

describe('dropPassThroughEnhancers', () => {
  it('drops only the two pass-through enhancers nestjs-cls registers', async () => {
    const app = await NestFactory.create<NestFastifyApplication>(TestModule, new FastifyAdapter(), { logger: false });
    const config = (app as unknown as { config: { getGlobalInterceptors(): object[]; getGlobalGuards(): object[] } })
      .config;
    expect(config.getGlobalInterceptors()).toHaveLength(1);
    expect(config.getGlobalGuards()).toHaveLength(3);
    expect(dropPassThroughEnhancers(app)).toBe(2);
    expect(config.getGlobalInterceptors()).toEqual([]);
    const guards = config.getGlobalGuards();
    expect(guards).toHaveLength(2);
    expect(guards).toContain(maintenanceSwitch);
    expect(guards.some((guard) => guard instanceof OwnGuard)).toBe(true);
    await app.close();
  });

  it('stops start-up when Nest no longer keeps its global enhancers where this reads them', () => {
    expect(() => dropPassThroughEnhancers({} as NestFastifyApplication)).toThrow(/getGlobalInterceptors/);
  });
});
