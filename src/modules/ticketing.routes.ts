import { Router } from 'express';
import type { Config } from '../config';
import type { Scopes } from '../http/scope';
import type { Db } from '../platform/db';
import { checkinRouter } from './checkin/checkin.routes';
import { itemsRouter } from './items/items.routes';
import { ordersRouter } from './orders/orders.routes';
import { questionsRouter } from './questions/questions.routes';
import { quotasRouter } from './quotas/quotas.routes';
import { waitingListRouter } from './waitinglist/waitinglist.routes';

/** The ticketing data API below an event (products, questions, quotas, orders, check-in, waiting list). */
export function ticketingRouter(deps: { config: Config; scopes: Scopes; db: Db }): Router {
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
