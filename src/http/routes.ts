import type { RequestHandler, Router } from 'express';
import { MethodNotAllowed } from '../shared/errors';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type Handlers = Partial<Record<Method, RequestHandler | RequestHandler[]>>;

/**
 * Registers the methods of one resource path and answers every other method with pretix's 405.
 * HEAD follows GET, as in Express.
 */
export function resource(router: Router, path: string, handlers: Handlers): void {
  const route = router.route(path);
  for (const [method, handler] of Object.entries(handlers) as [Method, RequestHandler | RequestHandler[]][]) {
    route[method](...(Array.isArray(handler) ? handler : [handler]));
  }
  route.all((req) => {
    if (req.method === 'OPTIONS') return;
    throw new MethodNotAllowed(req.method);
  });
}
