import type { Request, RequestHandler, Response, Router } from 'express';
import type { Knex } from 'knex';
import type { z } from 'zod';
import type { EventRow } from '../modules/access/access.service';
import { idParam } from './params';
import { eventAccessOf } from './context';
import { paginate } from './pagination';
import { resource, type Handlers } from './routes';
import { parseOrThrow } from '../shared/validation';

/**
 * The usual pretix model viewset: list (paginated), detail, create (201), PATCH and DELETE (204). Each operation
 * is optional; methods without one answer 405. `Scope` is what the path names above the objects: the event, or
 * the event and a parent object for nested resources.
 */
export interface ResourceSpec<Scope, Row, Out, Create, Patch> {
  /** Path below `/organizers/:organizer/events/:event`, ending in a slash, e.g. `/categories/`. */
  path: string;
  /** Event scope guard, usually with read/write permissions. */
  guard: RequestHandler;
  /** Resolves before listing, e.g. to 404 when a nested resource's parent is not the event's. */
  checkScope?(scope: Scope): Promise<void>;
  list(scope: Scope, query: Request['query']): Knex.QueryBuilder;
  toResources(scope: Scope, rows: Row[]): Promise<Out[]>;
  get(scope: Scope, id: number): Promise<Out>;
  create?: { schema: z.ZodType<Create>; run(scope: Scope, input: Create): Promise<Out> };
  update?: { schema: z.ZodType<Patch>; run(scope: Scope, id: number, input: Patch): Promise<Out> };
  remove?(scope: Scope, id: number): Promise<void>;
}

function mountResource<Scope, Row, Out, Create, Patch>(
  router: Router,
  siteUrl: string,
  scopeOf: (req: Request, res: Response) => Scope,
  spec: ResourceSpec<Scope, Row, Out, Create, Patch>,
): void {
  const base = `/organizers/:organizer/events/:event${spec.path}`;
  const { guard, create, update, remove } = spec;

  const collection: Handlers = {
    docs: {
      get: { summary: 'List (paginated)' },
      ...(create ? { post: { summary: 'Create', body: create.schema } } : {}),
    },
    get: [
      guard,
      async (req, res) => {
        const scope = scopeOf(req, res);
        await spec.checkScope?.(scope);
        // A knex builder is thenable: it must not be awaited here, or it would run unpaginated.
        const query = spec.list(scope, req.query);
        res.json(await paginate<Row, Out>(req, siteUrl, query, (rows) => spec.toResources(scope, rows)));
      },
    ],
  };
  if (create) {
    collection.post = [
      guard,
      async (req, res) => {
        const scope = scopeOf(req, res);
        res.status(201).json(await create.run(scope, parseOrThrow(create.schema, req.body ?? {})));
      },
    ];
  }
  resource(router, base, collection);

  const detail: Handlers = {
    docs: {
      get: { summary: 'Show one' },
      ...(update ? { patch: { summary: 'Change some fields', body: update.schema } } : {}),
      ...(remove ? { delete: { summary: 'Delete' } } : {}),
    },
    get: [guard, async (req, res) => void res.json(await spec.get(scopeOf(req, res), idParam(req)))],
  };
  if (update) {
    detail.patch = [
      guard,
      async (req, res) => {
        const scope = scopeOf(req, res);
        const id = idParam(req);
        res.json(await update.run(scope, id, parseOrThrow(update.schema, req.body ?? {})));
      },
    ];
  }
  if (remove) {
    detail.delete = [
      guard,
      async (req, res) => {
        await remove(scopeOf(req, res), idParam(req));
        res.status(204).end();
      },
    ];
  }
  resource(router, `${base}:id/`, detail);
}

/** A resource directly below an event, e.g. `/categories/`. */
export function mountEventResource<Row, Out, Create, Patch>(
  router: Router,
  siteUrl: string,
  spec: ResourceSpec<EventRow, Row, Out, Create, Patch>,
): void {
  mountResource(router, siteUrl, (_req, res) => eventAccessOf(res).event, spec);
}

export interface NestedScope {
  event: EventRow;
  /** The id of the parent object in the path (`:parent`); the spec checks that it is the event's. */
  parent: number;
}

/** A resource below an object of an event, e.g. `/items/:parent/variations/`. */
export function mountNestedResource<Row, Out, Create, Patch>(
  router: Router,
  siteUrl: string,
  spec: ResourceSpec<NestedScope, Row, Out, Create, Patch>,
): void {
  mountResource(
    router,
    siteUrl,
    (req, res) => ({ event: eventAccessOf(res).event, parent: idParam(req, 'parent') }),
    spec,
  );
}
