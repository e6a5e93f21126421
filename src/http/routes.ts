import type { RequestHandler, Router } from 'express';
import { MethodNotAllowed } from '../shared/errors';
import { attachRouteDocs, type Method, type RouteDocs } from './route-docs';

export type Handlers = Partial<Record<Method, RequestHandler | RequestHandler[]>> & {
  /** What the OpenAPI document says about this resource (schemas, summaries); see RouteDocs. */
  docs?: RouteDocs;
};

/**
 * Registers the methods of one resource path and answers every other method with pretix's 405.
 * HEAD follows GET, as in Express. The route is in the OpenAPI document with its path parameters and the
 * usual responses even without `docs`; `docs` adds the zod schemas and summaries.
 */
export function resource(router: Router, path: string, handlers: Handlers): void {
  const { docs, ...methods } = handlers;
  const route = router.route(path);
  for (const [method, handler] of Object.entries(methods) as [Method, RequestHandler | RequestHandler[]][]) {
    route[method](...(Array.isArray(handler) ? handler : [handler]));
  }
  route.all((req) => {
    if (req.method === 'OPTIONS') return;
    throw new MethodNotAllowed(req.method);
  });
  if (docs) attachRouteDocs(route, docs);
}
