import type { Request, RequestHandler, Router } from 'express';
import type { Knex } from 'knex';
import type { z } from 'zod';
import type { EventRow } from '../modules/access/access.service';
import { ObjectId } from '../modules/teams/teams.schemas';
import { NotFound } from '../shared/errors';
import { eventAccessOf } from './context';
import { paginate } from './pagination';
import { resource, type Handlers } from './routes';
import { parseOrThrow } from './validate';

/** A path id that is not an integer cannot name an object: 404, never a 500. */
export function idParam(req: Request, name = 'id'): number {
  const parsed = ObjectId.safeParse(req.params[name]);
  if (!parsed.success) throw new NotFound();
  return parsed.data;
}

/**
 * The usual pretix model viewset below an event: list (paginated, filtered by `list`), detail, create (201),
 * PATCH and DELETE (204). Each operation is optional; methods without one answer 405.
 */
export interface EventResourceSpec<Row, Out, Create, Patch> {
  /** Path below `/organizers/:organizer/events/:event`, ending in a slash, e.g. `/categories/`. */
  path: string;
  /** Event scope guard, usually with read/write permissions. */
  guard: RequestHandler;
  list(event: EventRow, query: Request['query']): Knex.QueryBuilder;
  toResources(event: EventRow, rows: Row[]): Promise<Out[]>;
  get(event: EventRow, id: number): Promise<Out>;
  create?: { schema: z.ZodType<Create>; run(event: EventRow, input: Create): Promise<Out> };
  update?: { schema: z.ZodType<Patch>; run(event: EventRow, id: number, input: Patch): Promise<Out> };
  remove?(event: EventRow, id: number): Promise<void>;
}

export function mountEventResource<Row, Out, Create, Patch>(
  router: Router,
  siteUrl: string,
  spec: EventResourceSpec<Row, Out, Create, Patch>,
): void {
  const base = `/organizers/:organizer/events/:event${spec.path}`;
  const { guard } = spec;
  const event = (res: Parameters<RequestHandler>[1]) => eventAccessOf(res).event;

  const collection: Handlers = {
    get: [
      guard,
      async (req, res) => {
        const query = spec.list(event(res), req.query);
        res.json(await paginate<Row, Out>(req, siteUrl, query, (rows) => spec.toResources(event(res), rows)));
      },
    ],
  };
  const { create, update, remove } = spec;
  if (create) {
    collection.post = [
      guard,
      async (req, res) => {
        res.status(201).json(await create.run(event(res), parseOrThrow(create.schema, req.body ?? {})));
      },
    ];
  }
  resource(router, base, collection);

  const detail: Handlers = {
    get: [guard, async (req, res) => void res.json(await spec.get(event(res), idParam(req)))],
  };
  if (update) {
    detail.patch = [
      guard,
      async (req, res) => {
        const id = idParam(req);
        res.json(await update.run(event(res), id, parseOrThrow(update.schema, req.body ?? {})));
      },
    ];
  }
  if (remove) {
    detail.delete = [
      guard,
      async (req, res) => {
        await remove(event(res), idParam(req));
        res.status(204).end();
      },
    ];
  }
  resource(router, `${base}:id/`, detail);
}
