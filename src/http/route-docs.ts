import type { z } from 'zod';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** What the OpenAPI document says about one method of a route, beyond what the route itself tells. */
export interface OperationDoc {
  summary?: string;
  description?: string;
  /** The zod schema that validates the request body (the same one the handler parses with). */
  body?: z.ZodType;
  /** The request body's media type; JSON by default, `application/x-www-form-urlencoded` for HTML forms. */
  bodyType?: string;
  /** Schemas of path parameters that are more than a string, e.g. an enum of identifiers. */
  params?: z.ZodObject;
  /** Query parameters, as a zod object whose keys are the parameter names. */
  query?: z.ZodObject;
  /** The schema of the success response's body, when one is declared. */
  response?: z.ZodType;
  /** Replaces the default security (team token, or OAuth with `read` for GET and `write` otherwise). */
  security?: Record<string, string[]>[];
  /** The success status; by default 200, 201 for POST and 204 for DELETE. */
  status?: number;
  /** The success response's content type when it is not JSON, e.g. for file downloads. */
  contentType?: string;
  /** Error statuses this operation may answer beyond the ones every operation of its kind has (e.g. 409, 410). */
  errors?: number[];
}

/** What a route declares for the OpenAPI document, next to its handlers (see resource()). */
export interface RouteDocs extends Partial<Record<Method, OperationDoc>> {
  /** The group in the docs page, e.g. `exporters (event)`; by default derived from the path. */
  tag?: string;
  /** Needs no credentials (health checks, the OAuth pages and token endpoints). */
  public?: boolean;
  /** Hidden from the document (redirects, the docs page itself). */
  hidden?: boolean;
}

/**
 * Docs are kept beside the Express route object itself, so that the OpenAPI builder, walking the app's router
 * stack, finds every route (documented or not) with the prefix it is really mounted under.
 */
const docsByRoute = new WeakMap<object, RouteDocs>();

export function attachRouteDocs(route: object, docs: RouteDocs): void {
  docsByRoute.set(route, { ...docsByRoute.get(route), ...docs });
}

export function routeDocsOf(route: object): RouteDocs | undefined {
  return docsByRoute.get(route);
}

const UNDOCUMENTED = Symbol('undocumented');

/** Marks a mounted router or handler (the queue dashboard, static assets) whose routes are no part of the API. */
export function undocumented<T extends object>(handler: T): T {
  return Object.assign(handler, { [UNDOCUMENTED]: true });
}

export function isUndocumented(handler: unknown): boolean {
  return typeof handler === 'function' && UNDOCUMENTED in handler;
}
