import { Router } from 'express';
import type { Config } from '../../config';
import { eventAccessOf } from '../../http/context';
import { mountEventResource } from '../../http/event-resource';
import { idParam } from '../../http/params';
import { resource } from '../../http/routes';
import type { Scopes } from '../../http/scope';
import type { QuotaRow } from './quotas.repository';
import { QuotaInput, QuotaPatch } from './quotas.schemas';
import type { QuotasService } from './quotas.service';

/** quotas/ and quotas/{id}/availability/: readable with event access, changed with can_change_items. */
export function quotasRouter(deps: { config: Config; scopes: Scopes; quotas: QuotasService }): Router {
  const router = Router({ strict: true });
  const { quotas } = deps;
  const guard = deps.scopes.event({ write: 'can_change_items' });
  mountEventResource(router, deps.config.SITE_URL, {
    path: '/quotas/',
    guard,
    list: (event) => quotas.list(event),
    toResources: (_event, rows: QuotaRow[]) => quotas.toResources(rows),
    get: (event, id) => quotas.get(event, id),
    create: { schema: QuotaInput, run: (event, input) => quotas.create(event, input) },
    update: { schema: QuotaPatch, run: (event, id, input) => quotas.update(event, id, input) },
    remove: (event, id) => quotas.remove(event, id),
  });
  resource(router, '/organizers/:organizer/events/:event/quotas/:id/availability/', {
    get: [
      guard,
      async (req, res) => void res.json(await quotas.availability(eventAccessOf(res).event, idParam(req))),
    ],
  });
  return router;
}
