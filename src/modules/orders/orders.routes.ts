import { Router, type Request } from 'express';
import type { Config } from '../../config';
import { eventAccessOf } from '../../http/context';
import { queryBoolean } from '../../http/params';
import { applyOrdering, paginate } from '../../http/pagination';
import { resource } from '../../http/routes';
import type { Scopes } from '../../http/scope';
import { parseOrThrow } from '../../shared/validation';
import type { OrderRow } from './orders.repository';
import type { ResourceOptions } from './orders.resources';
import { MarkCanceled, OrderCreate } from './orders.schemas';
import type { OrderListFilters, OrdersService } from './orders.service';

function stringQuery(req: Request): OrderListFilters {
  return Object.fromEntries(
    Object.entries(req.query).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

function resourceOptions(req: Request): ResourceOptions {
  return {
    includeCanceledPositions: queryBoolean(req.query.include_canceled_positions) ?? false,
    includeCanceledFees: queryBoolean(req.query.include_canceled_fees) ?? false,
  };
}

function codeParam(req: Request): string {
  return String(req.params.code);
}

/** orders/: read with can_view_orders; create and status changes with can_change_orders. */
export function ordersRouter(deps: { config: Config; scopes: Scopes; orders: OrdersService }): Router {
  const router = Router({ strict: true });
  const { orders } = deps;
  const guard = deps.scopes.event({ read: 'can_view_orders', write: 'can_change_orders' });
  const base = '/organizers/:organizer/events/:event/orders/';

  resource(router, base, {
    docs: {
      get: { summary: 'List orders (paginated)' },
      post: { summary: 'Create an order', body: OrderCreate },
    },
    get: [
      guard,
      async (req, res) => {
        const event = eventAccessOf(res).event;
        const generated = new Date();
        const filters = stringQuery(req);
        const query = applyOrdering(
          orders.list(event, filters),
          filters.ordering,
          { datetime: 'datetime', code: 'code', status: 'status', last_modified: 'last_modified' },
          'datetime',
        );
        const page = await paginate<OrderRow, unknown>(req, deps.config.SITE_URL, query, (rows) =>
          orders.toResources(event, rows, resourceOptions(req)),
        );
        // Clients use it as the next modified_since, so it is taken before the query runs.
        res.set('X-Page-Generated', generated.toISOString().replace('.000Z', 'Z')).json(page);
      },
    ],
    post: [
      guard,
      async (req, res) => {
        const input = parseOrThrow(OrderCreate, req.body ?? {});
        res.status(201).json(await orders.create(eventAccessOf(res).event, input));
      },
    ],
  });

  resource(router, `${base}:code/`, {
    get: [
      guard,
      async (req, res) =>
        void res.json(await orders.get(eventAccessOf(res).event, codeParam(req), resourceOptions(req))),
    ],
  });
  resource(router, `${base}:code/mark_paid/`, {
    docs: { post: { summary: 'Mark an order as paid', status: 200 } },
    post: [
      guard,
      async (req, res) => void res.json(await orders.markPaid(eventAccessOf(res).event, codeParam(req))),
    ],
  });
  resource(router, `${base}:code/mark_canceled/`, {
    docs: { post: { summary: 'Cancel an order', body: MarkCanceled, status: 200 } },
    post: [
      guard,
      async (req, res) => {
        parseOrThrow(MarkCanceled, req.body ?? {});
        res.json(await orders.markCanceled(eventAccessOf(res).event, codeParam(req)));
      },
    ],
  });
  return router;
}
