import { Router } from 'express';
import type { Config } from '../../config';
import { eventAccessOf } from '../../http/context';
import { idParam, mountEventResource } from '../../http/event-resource';
import { paginate } from '../../http/pagination';
import { resource } from '../../http/routes';
import type { Scopes } from '../../http/scope';
import { parseOrThrow } from '../../http/validate';
import type { Db } from '../../platform/db';
import type { ItemRow, VariationRow } from './items.repository';
import {
  CategoryInput,
  CategoryPatch,
  ItemInput,
  ItemPatch,
  VariationInput,
  VariationPatch,
} from './items.schemas';
import { CategoriesService, categoryResource, ItemsService, variationResource } from './items.service';

/** categories/, items/ and items/{id}/variations/: readable with event access, changed with can_change_items. */
export function itemsRouter(deps: { config: Config; scopes: Scopes; db: Db }): Router {
  const router = Router({ strict: true });
  const guard = deps.scopes.event({ write: 'can_change_items' });
  const categories = new CategoriesService(deps.db);
  const items = new ItemsService(deps.db);

  mountEventResource(router, deps.config.SITE_URL, {
    path: '/categories/',
    guard,
    list: (event) => categories.list(event),
    toResources: async (_event, rows: Parameters<typeof categoryResource>[0][]) => rows.map(categoryResource),
    get: (event, id) => categories.get(event, id),
    create: { schema: CategoryInput, run: (event, input) => categories.create(event, input) },
    update: { schema: CategoryPatch, run: (event, id, input) => categories.update(event, id, input) },
    remove: (event, id) => categories.remove(event, id),
  });

  mountEventResource(router, deps.config.SITE_URL, {
    path: '/items/',
    guard,
    list: (event, query) => items.list(event, query),
    toResources: (_event, rows: ItemRow[]) => items.toResources(rows),
    get: (event, id) => items.get(event, id),
    create: { schema: ItemInput, run: (event, input) => items.create(event, input) },
    update: { schema: ItemPatch, run: (event, id, input) => items.update(event, id, input) },
    remove: (event, id) => items.remove(event, id),
  });

  const variationsPath = '/organizers/:organizer/events/:event/items/:item/variations/';
  resource(router, variationsPath, {
    get: [
      guard,
      async (req, res) => {
        const { item, query } = await items.variations(eventAccessOf(res).event, idParam(req, 'item'));
        res.json(
          await paginate<VariationRow, unknown>(req, deps.config.SITE_URL, query, (rows) =>
            rows.map((row) => variationResource(row, item)),
          ),
        );
      },
    ],
    post: [
      guard,
      async (req, res) => {
        const input = parseOrThrow(VariationInput, req.body ?? {});
        res
          .status(201)
          .json(await items.createVariation(eventAccessOf(res).event, idParam(req, 'item'), input));
      },
    ],
  });
  resource(router, `${variationsPath}:id/`, {
    get: [
      guard,
      async (req, res) =>
        void res.json(await items.variation(eventAccessOf(res).event, idParam(req, 'item'), idParam(req))),
    ],
    patch: [
      guard,
      async (req, res) => {
        const changes = parseOrThrow(VariationPatch, req.body ?? {});
        const event = eventAccessOf(res).event;
        res.json(await items.updateVariation(event, idParam(req, 'item'), idParam(req), changes));
      },
    ],
    delete: [
      guard,
      async (req, res) => {
        await items.removeVariation(eventAccessOf(res).event, idParam(req, 'item'), idParam(req));
        res.status(204).end();
      },
    ],
  });
  return router;
}
