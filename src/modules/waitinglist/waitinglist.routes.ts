import { Router } from 'express';
import type { Config } from '../../config';
import { mountEventResource } from '../../http/event-resource';
import type { Scopes } from '../../http/scope';
import type { WaitingListRow } from './waitinglist.repository';
import { WaitingListInput } from './waitinglist.schemas';
import { waitingListResource, type WaitingListService } from './waitinglist.service';

/** waitinglistentries/: read with can_view_orders, created and deleted with can_change_orders. */
export function waitingListRouter(deps: {
  config: Config;
  scopes: Scopes;
  waitingList: WaitingListService;
}): Router {
  const router = Router({ strict: true });
  const entries = deps.waitingList;
  mountEventResource(router, deps.config.SITE_URL, {
    path: '/waitinglistentries/',
    guard: deps.scopes.event({ read: 'can_view_orders', write: 'can_change_orders' }),
    list: (event, query) => entries.list(event, query),
    toResources: async (_event, rows: WaitingListRow[]) => rows.map(waitingListResource),
    get: (event, id) => entries.get(event, id),
    create: { schema: WaitingListInput, run: (event, input) => entries.create(event, input) },
    remove: (event, id) => entries.remove(event, id),
  });
  return router;
}
