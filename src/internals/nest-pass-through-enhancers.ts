import type { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';

interface GlobalEnhancers {
  getGlobalInterceptors(): object[];
  getGlobalGuards(): object[];
}

/** How Nest names an APP_GUARD / APP_INTERCEPTOR provider once registered: `APP_GUARD (UUID: …)`. */
const ENHANCER_TOKEN = /^APP_(GUARD|INTERCEPTOR) \(UUID: /;

/**
 * nestjs-cls registers a global interceptor and guard even when told not to mount them, as plain
 * objects that pass everything through. A global interceptor alone puts every route on Nest's
 * rxjs interceptor pipeline (two AsyncResources, defer, mergeAll, lastValueFrom per request): it
 * cost a third of the throughput of a simple route. Exactly those two instances, found among
 * ClsRootModule's own providers, are dropped before the routes are built; a mounted ClsGuard or
 * ClsInterceptor (a class instance) and every other enhancer stay. Returns how many were dropped.
 */
export function dropPassThroughEnhancers(app: INestApplication): number {
  const config = (app as unknown as { config?: GlobalEnhancers }).config;
  // Nest's ApplicationConfig is private: an upgrade that moves it must stop start-up, not quietly cost a third of the throughput.
  if (typeof config?.getGlobalInterceptors !== 'function' || typeof config.getGlobalGuards !== 'function') {
    throw new Error(
      'Nest no longer exposes app.config.getGlobalInterceptors/getGlobalGuards: update src/internals/nest-pass-through-enhancers.ts',
    );
  }
  const clsRoot = [...app.get(ModulesContainer).values()].find((module) => module.metatype?.name === 'ClsRootModule');
  if (!clsRoot) return 0;
  const passThrough = new Set(
    [...clsRoot.providers]
      .filter(
        ([token, wrapper]) =>
          typeof token === 'string' &&
          ENHANCER_TOKEN.test(token) &&
          Object.getPrototypeOf(wrapper.instance) === Object.prototype,
      )
      .map(([, wrapper]) => wrapper.instance as object),
  );
  let dropped = 0;
  for (const list of [config.getGlobalInterceptors(), config.getGlobalGuards()]) {
    for (let i = list.length - 1; i >= 0; i--) {
      if (!passThrough.has(list[i])) continue;
      list.splice(i, 1);
      dropped++;
    }
  }
  return dropped;
}
