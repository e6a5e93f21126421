import { Router } from 'express';
import type { Config } from '../../config';
import { mountEventResource, mountNestedResource } from '../../http/event-resource';
import type { Scopes } from '../../http/scope';
import type { ItemRow, VariationRow } from './items.repository';
import {
  CategoryInput,
  CategoryPatch,
  ItemInput,
  ItemPatch,
  VariationInput,
  VariationPatch,
} from './items.schemas';
import { categoryResource, type CategoriesService, type ItemsService } from './items.service';

/** categories/, items/ and items/{id}/variations/: readable with event access, changed with can_change_items. */
export function itemsRouter(deps: {
  config: Config;
  scopes: Scopes;
  categories: CategoriesService;
  items: ItemsService;
}): Router {
  const router = Router({ strict: true });
  const guard = deps.scopes.event({ write: 'can_change_items' });
  const { categories, items } = deps;

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

  mountNestedResource(router, deps.config.SITE_URL, {
    path: '/items/:parent/variations/',
    guard,
    checkScope: ({ event, parent }) => items.checkItem(event, parent),
    list: ({ parent }) => items.variations(parent),
    toResources: ({ event, parent }, rows: VariationRow[]) => items.variationResources(event, parent, rows),
    get: ({ event, parent }, id) => items.variation(event, parent, id),
    create: {
      schema: VariationInput,
      run: ({ event, parent }, input) => items.createVariation(event, parent, input),
    },
    update: {
      schema: VariationPatch,
      run: ({ event, parent }, id, input) => items.updateVariation(event, parent, id, input),
    },
    remove: ({ event, parent }, id) => items.removeVariation(event, parent, id),
  });
  return router;
}
