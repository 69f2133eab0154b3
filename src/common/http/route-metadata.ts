import type { ExecutionContext } from '@nestjs/common';

type Handler = ReturnType<ExecutionContext['getHandler']>;
type Controller = ReturnType<ExecutionContext['getClass']>;

/**
 * What a guard reads from a route's decorators, read once per route (controller and handler)
 * rather than on every request: the metadata never changes once the app has started.
 */
export function perRoute<T>(read: (handler: Handler, controller: Controller) => T): (context: ExecutionContext) => T {
  const byController = new WeakMap<Controller, WeakMap<Handler, T>>();
  return (context) => {
    const controller = context.getClass();
    const handler = context.getHandler();
    let byHandler = byController.get(controller);
    if (!byHandler) byController.set(controller, (byHandler = new WeakMap()));
    if (!byHandler.has(handler)) byHandler.set(handler, read(handler, controller));
    return byHandler.get(handler) as T;
  };
}
