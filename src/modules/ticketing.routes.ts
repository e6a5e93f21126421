import { Router } from 'express';
import type { Config } from '../config';
import type { Scopes } from '../http/scope';
import { checkinRouter } from './checkin/checkin.routes';
import { itemsRouter } from './items/items.routes';
import { ordersRouter } from './orders/orders.routes';
import { questionsRouter } from './questions/questions.routes';
import { quotasRouter } from './quotas/quotas.routes';
import { waitingListRouter } from './waitinglist/waitinglist.routes';

/** The services behind the ticketing routers, built by the composition root (main/api.ts). */
export type TicketingServices = Omit<
  Parameters<typeof itemsRouter>[0] &
    Parameters<typeof questionsRouter>[0] &
    Parameters<typeof quotasRouter>[0] &
    Parameters<typeof ordersRouter>[0] &
    Parameters<typeof checkinRouter>[0] &
    Parameters<typeof waitingListRouter>[0],
  'config' | 'scopes'
>;

/** The ticketing data API below an event (products, questions, quotas, orders, check-in, waiting list). */
export function ticketingRouter(deps: { config: Config; scopes: Scopes } & TicketingServices): Router {
  const router = Router({ strict: true });
  for (const build of [
    itemsRouter,
    questionsRouter,
    quotasRouter,
    ordersRouter,
    checkinRouter,
    waitingListRouter,
  ])
    router.use(build(deps));
  return router;
}
