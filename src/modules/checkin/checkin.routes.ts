import { Router, type RequestHandler } from 'express';
import type { Config } from '../../config';
import { eventAccessOf } from '../../http/context';
import { mountEventResource } from '../../http/event-resource';
import { idParam } from '../../http/params';
import { resource } from '../../http/routes';
import { isSafeMethod, type Scopes } from '../../http/scope';
import { parseOrThrow } from '../../shared/validation';
import { PermissionDenied } from '../../shared/errors';
import type { CheckinListRow } from './checkin.repository';
import { CheckinListInput, CheckinListPatch, RedeemInput } from './checkin.schemas';
import type { CheckinService } from './checkin.service';

/**
 * checkinlists/: read by whoever may view orders or check in, changed with can_change_event_settings (as in
 * pretix); …/positions/{id}/redeem/ records a scan and needs can_checkin_orders.
 */
export function checkinRouter(deps: { config: Config; scopes: Scopes; checkin: CheckinService }): Router {
  const router = Router({ strict: true });
  const { checkin } = deps;
  const scope = deps.scopes.event();
  const listGuard: RequestHandler = (req, res, next) => {
    Promise.resolve(
      scope(req, res, (error?: unknown) => {
        if (error) return next(error);
        const granted = eventAccessOf(res).permissions;
        const allowed = isSafeMethod(req.method)
          ? granted.has('can_view_orders') || granted.has('can_checkin_orders')
          : granted.has('can_change_event_settings');
        next(allowed ? undefined : new PermissionDenied());
      }),
    ).catch(next);
  };

  mountEventResource(router, deps.config.SITE_URL, {
    path: '/checkinlists/',
    guard: listGuard,
    list: (event) => checkin.list(event),
    toResources: (_event, rows: CheckinListRow[]) => checkin.toResources(rows),
    get: (event, id) => checkin.get(event, id),
    create: { schema: CheckinListInput, run: (event, input) => checkin.create(event, input) },
    update: { schema: CheckinListPatch, run: (event, id, input) => checkin.update(event, id, input) },
    remove: (event, id) => checkin.remove(event, id),
  });

  resource(router, '/organizers/:organizer/events/:event/checkinlists/:list/positions/:position/redeem/', {
    docs: { post: { summary: 'Redeem a ticket (check-in scan)', body: RedeemInput, status: 200 } },
    post: [
      deps.scopes.event('can_checkin_orders'),
      async (req, res) => {
        const input = parseOrThrow(RedeemInput, req.body ?? {});
        const event = eventAccessOf(res).event;
        const result = await checkin.redeem(event, idParam(req, 'list'), String(req.params.position), input);
        res.status(result.status).json(result.body);
      },
    ],
  });
  return router;
}
