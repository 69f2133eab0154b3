import type { INestApplication } from '@nestjs/common';

interface GlobalEnhancers {
  getGlobalInterceptors(): object[];
  getGlobalGuards(): object[];
}

/**
 * nestjs-cls registers a global interceptor and guard even when told not to mount them, as plain
 * objects that pass everything through. A global interceptor alone puts every route on Nest's
 * rxjs interceptor pipeline (two AsyncResources, defer, mergeAll, lastValueFrom per request): it
 * cost a third of the throughput of a simple route. They are dropped before the routes are built.
 * Our own enhancers are class instances and stay. Must run after NestFactory.create, before init.
 */
export function dropPassThroughEnhancers(app: INestApplication): number {
  const config = (app as unknown as { config?: GlobalEnhancers }).config;
  if (!config?.getGlobalInterceptors) return 0;
  let dropped = 0;
  for (const list of [config.getGlobalInterceptors(), config.getGlobalGuards()]) {
    for (let i = list.length - 1; i >= 0; i--) {
      if (Object.getPrototypeOf(list[i]) !== Object.prototype) continue;
      list.splice(i, 1);
      dropped++;
    }
  }
  return dropped;
}
